// Pulumi type tokens the pack inspects. The pack reads plain properties and never imports
// @pulumi/aws, so it starts fast and ships with two dependencies.
export const types = {
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    cluster: "aws:elasticache/cluster:Cluster",
    serverlessCache: "aws:elasticache/serverlessCache:ServerlessCache",
    subnetGroup: "aws:elasticache/subnetGroup:SubnetGroup",
    user: "aws:elasticache/user:User",
    userGroup: "aws:elasticache/userGroup:UserGroup",
    globalReplicationGroup: "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup",
    parameterGroup: "aws:elasticache/parameterGroup:ParameterGroup",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    defaultSecurityGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    vpc: "aws:ec2/vpc:Vpc",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    subnet: "aws:ec2/subnet:Subnet",
    routeTable: "aws:ec2/routeTable:RouteTable",
    route: "aws:ec2/route:Route",
    routeTableAssociation: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    internetGateway: "aws:ec2/internetGateway:InternetGateway",
    defaultRouteTable: "aws:ec2/defaultRouteTable:DefaultRouteTable",
    mainRouteTableAssociation: "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
    vpnGateway: "aws:ec2/vpnGateway:VpnGateway",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    kmsKey: "aws:kms/key:Key",
    kmsAlias: "aws:kms/alias:Alias",
    snsTopic: "aws:sns/topic:Topic",
} as const;

/** Resources that run a cache and take security groups. */
export const cacheTypes = [types.replicationGroup, types.cluster, types.serverlessCache];
