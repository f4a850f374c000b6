// Guide step 4, authentication: a generated (or supplied) AUTH token, or RBAC users with the open
// `default` user replaced by a disabled one. Secrets stay Outputs marked secret from creation to
// Secrets Manager; they are never returned in plain text.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { authTokenSpecials } from "../core/checks";
import { HitrustRedisArgs } from "./args";
import { CheckedInputs, defaults, Settings, tokenFromSecretString, ValidationError } from "./validate";

export interface Authentication {
    /** The AUTH token, secret; undefined with RBAC. */
    authToken?: pulumi.Output<string>;
    /** The RBAC user group; undefined with a token. */
    userGroupIds?: pulumi.Output<string>[];
    users: aws.elasticache.User[];
    userGroup?: aws.elasticache.UserGroup;
    /** What the auth secret stores: the token, or each user's password, as a secret. */
    credentials: pulumi.Output<Record<string, string>>;
}

export function createAuthentication(c: {
    name: string;
    args: HitrustRedisArgs;
    /** The Output arguments, wrapped to be checked (and, from another language, to be secret) on resolve. */
    inputs: CheckedInputs;
    settings: Settings;
    tags: Record<string, string>;
    parent: pulumi.Resource;
}): Authentication {
    const { name, args, inputs, settings, tags, parent } = c;
    const id = settings.replicationGroupId;
    const users: aws.elasticache.User[] = [];
    let userGroup: aws.elasticache.UserGroup | undefined;
    let authToken: pulumi.Output<string> | undefined;
    let userGroupIds: pulumi.Output<string>[] | undefined;
    let credentials: pulumi.Output<Record<string, string>>;
    if (settings.authentication === "token") {
        // Marked secret before it reaches any registration, whatever the caller passed.
        authToken = pulumi.secret(
            inputs.authToken !== undefined
                ? inputs.authToken
                : inputs.authTokenSecret !== undefined
                  ? tokenFromSecret(name, inputs.authTokenSecret, parent)
                  : generatedSecret(`${name}-auth-token`, args.authTokenRotation, parent).result,
        );
        credentials = authToken.apply((token): Record<string, string> => ({ authToken: token }));
    } else {
        const passwords: Record<string, pulumi.Output<string>> = {};
        const userArgs = [
            // A user group must contain a user named "default"; this one is switched off.
            {
                userName: "default",
                accessString: "off -@all",
                authentication: "password" as const,
                userId: `${id}-default`,
            },
            ...args.rbac!.users.map((u) => ({
                ...u,
                authentication: u.authentication ?? ("password" as const),
                userId: u.authentication === "iam" ? u.userName.toLowerCase() : `${id}-${u.userName.toLowerCase()}`,
            })),
        ];
        for (const user of userArgs) {
            let authenticationMode: aws.types.input.elasticache.UserAuthenticationMode;
            if (user.authentication === "iam") {
                authenticationMode = { type: "iam" };
            } else {
                const password = generatedSecret(
                    `${name}-user-${user.userName}-password`,
                    args.authTokenRotation,
                    parent,
                );
                authenticationMode = { type: "password", passwords: [pulumi.secret(password.result)] };
                if (user.userName !== "default") {
                    passwords[user.userName] = password.result;
                }
            }
            users.push(
                new aws.elasticache.User(
                    `${name}-user-${user.userName}`,
                    {
                        userId: user.userId,
                        userName: user.userName,
                        accessString: user.accessString,
                        engine: settings.engine,
                        authenticationMode,
                        tags,
                    },
                    { parent },
                ),
            );
        }
        userGroup = new aws.elasticache.UserGroup(
            `${name}-users`,
            { userGroupId: `${id}-users`, engine: settings.engine, userIds: users.map((u) => u.userId), tags },
            { parent },
        );
        userGroupIds = [userGroup.userGroupId];
        credentials = pulumi.secret(pulumi.all(passwords));
    }
    return { authToken, userGroupIds, users, userGroup, credentials };
}

/**
 * The token held in an existing Secrets Manager secret, read with GetSecretValue at deploy time
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html, the
 * current version). An invoke's result is not written to the state; the value is marked secret
 * before the component looks at it, and only its problems (never the value) are reported.
 */
function tokenFromSecret(name: string, secretId: pulumi.Input<string>, parent: pulumi.Resource): pulumi.Output<string> {
    const version = aws.secretsmanager.getSecretVersionOutput({ secretId }, { parent });
    return pulumi.secret(version.secretString).apply((secretString) => {
        const { token, problems } = tokenFromSecretString(secretString);
        if (token === undefined) {
            throw new ValidationError(name, problems);
        }
        return token;
    });
}

function generatedSecret(name: string, rotation: string | undefined, parent: pulumi.Resource): random.RandomPassword {
    return new random.RandomPassword(
        name,
        {
            length: defaults.authTokenLength,
            special: true,
            overrideSpecial: authTokenSpecials,
            minLower: 4,
            minUpper: 4,
            minNumeric: 4,
            minSpecial: 2,
            keepers: { rotation: rotation ?? "initial" },
        },
        { parent },
    );
}
