// The modules the Pulumi SDK speaks its protocols with (gRPC, protobuf's well-known types),
// resolved from the installed @pulumi/pulumi, so that every tool and test uses the SDK's own
// copies, as the engine's plugins do. Loading them does not load the SDK itself.
import * as path from "path";

export const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
/** A module as @pulumi/pulumi resolves it. */
export const fromPulumi = (id: string) => require(require.resolve(id, { paths: [pulumiDir] }));
export const grpc = fromPulumi("@grpc/grpc-js");
export const structPb = fromPulumi("google-protobuf/google/protobuf/struct_pb");
export const emptyPb = fromPulumi("google-protobuf/google/protobuf/empty_pb");
