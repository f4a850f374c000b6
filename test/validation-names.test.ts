// The run-time checks cover exactly the arguments args.ts declares: an argument added to
// HitrustRedisArgs (or to one of its nested interfaces) without a check in
// component/validation/schema.ts fails here, and so does a check left behind for a removed one.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { argumentFields, nestedFields } from "../component/validation/schema";

const argsFile = path.join(__dirname, "..", "component", "args.ts");
const source = ts.createSourceFile(argsFile, fs.readFileSync(argsFile, "utf8"), ts.ScriptTarget.Latest, true);

const interfaces = new Map<string, ts.InterfaceDeclaration>();
source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) {
        interfaces.set(node.name.text, node);
    }
});

function memberNames(members: ts.NodeArray<ts.TypeElement>): string[] {
    return members
        .filter(ts.isPropertySignature)
        .map((m) => m.name.getText(source).replace(/^["']|["']$/g, ""))
        .sort();
}

/** The members of the object type a property holds, seen through Input<>, arrays and unions with undefined. */
function objectMembers(type: ts.TypeNode | undefined): ts.NodeArray<ts.TypeElement> | undefined {
    if (type === undefined) {
        return undefined;
    }
    if (ts.isTypeLiteralNode(type)) {
        return type.members;
    }
    if (ts.isArrayTypeNode(type)) {
        return objectMembers(type.elementType);
    }
    if (ts.isUnionTypeNode(type)) {
        for (const t of type.types) {
            const found = objectMembers(t);
            if (found) {
                return found;
            }
        }
        return undefined;
    }
    if (ts.isTypeReferenceNode(type)) {
        const name = type.typeName.getText(source);
        const local = interfaces.get(name.split(".").pop()!);
        if (local && name === local.name.text) {
            return local.members;
        }
        // pulumi.Input<T>, Input<T>, Array<T>: look inside.
        return type.typeArguments?.length === 1 ? objectMembers(type.typeArguments[0]) : undefined;
    }
    return undefined;
}

/** Nested object arguments by dotted path ("rbac.users"), each with its declared member names. */
function nestedDeclared(members: ts.NodeArray<ts.TypeElement>, prefix: string, out: Map<string, string[]>): void {
    for (const m of members.filter(ts.isPropertySignature)) {
        const inner = objectMembers(m.type);
        if (inner) {
            const key = `${prefix}${m.name.getText(source)}`;
            out.set(key, memberNames(inner));
            nestedDeclared(inner, `${key}.`, out);
        }
    }
}

describe("Argument names: the run-time checks match component/args.ts", () => {
    const root = interfaces.get("HitrustRedisArgs");

    it("finds HitrustRedisArgs in args.ts", () => {
        assert.ok(root, "interface HitrustRedisArgs not found in component/args.ts");
    });

    it("checks every property of HitrustRedisArgs, and no other", () => {
        assert.deepStrictEqual(Object.keys(argumentFields).sort(), memberNames(root!.members));
    });

    it("checks every property of each nested argument object, and no other", () => {
        const declared = new Map<string, string[]>();
        nestedDeclared(root!.members, "", declared);
        // Maps of names to text (tags, parameters) have no members to compare.
        for (const [key, names] of [...declared]) {
            if (names.length === 0) {
                declared.delete(key);
            }
        }
        assert.deepStrictEqual(
            Object.fromEntries(Object.entries(nestedFields).map(([k, f]) => [k, Object.keys(f).sort()])),
            Object.fromEntries([...declared].sort(([a], [b]) => a.localeCompare(b))),
        );
    });
});
