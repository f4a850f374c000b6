// A real Redis server for tests: Debian's redis-server (installed by .ci/run), started on a free
// loopback port with no persistence, and a minimal RESP2 client that pipelines commands
// (https://redis.io/docs/latest/develop/reference/protocol-spec/).
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as net from "net";

export type Reply = string | number | null | Reply[] | { error: string };

/** True when `redis-server` can be started here. */
export function redisAvailable(): boolean {
    return spawnSync("redis-server", ["--version"], { encoding: "utf8" }).status === 0;
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

/** Parses one RESP2 reply from `buf` at `at`; undefined when incomplete. */
function parse(buf: Buffer, at: number): { value: Reply; next: number } | undefined {
    const end = buf.indexOf("\r\n", at);
    if (end < 0) {
        return undefined;
    }
    const type = String.fromCharCode(buf[at]);
    const line = buf.toString("utf8", at + 1, end);
    const next = end + 2;
    switch (type) {
        case "+":
            return { value: line, next };
        case "-":
            return { value: { error: line }, next };
        case ":":
            return { value: Number(line), next };
        case "$": {
            const length = Number(line);
            if (length < 0) {
                return { value: null, next };
            }
            if (buf.length < next + length + 2) {
                return undefined;
            }
            return { value: buf.toString("utf8", next, next + length), next: next + length + 2 };
        }
        case "*": {
            const count = Number(line);
            if (count < 0) {
                return { value: null, next };
            }
            const items: Reply[] = [];
            let cursor = next;
            for (let i = 0; i < count; i++) {
                const item = parse(buf, cursor);
                if (!item) {
                    return undefined;
                }
                items.push(item.value);
                cursor = item.next;
            }
            return { value: items, next: cursor };
        }
        default:
            throw new Error(`unexpected RESP type ${JSON.stringify(type)}`);
    }
}

function encode(args: string[]): string {
    return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
}

export class RedisServer {
    private constructor(
        private readonly child: ChildProcess,
        private readonly socket: net.Socket,
        readonly version: string,
    ) {}

    /** Starts redis-server on a free loopback port and connects to it. */
    static async start(): Promise<RedisServer> {
        const port = await freePort();
        const child = spawn(
            "redis-server",
            [
                "--port",
                String(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            { stdio: ["ignore", "pipe", "pipe"] },
        );
        let said = "";
        child.stdout!.on("data", (d) => (said += d));
        child.stderr!.on("data", (d) => (said += d));
        const socket = await new Promise<net.Socket>((resolve, reject) => {
            const deadline = Date.now() + 10000;
            const attempt = () => {
                const s = net.connect(port, "127.0.0.1");
                s.once("connect", () => resolve(s));
                s.once("error", () => {
                    s.destroy();
                    if (Date.now() > deadline || child.exitCode !== null) {
                        reject(new Error(`redis-server did not start on port ${port}:\n${said}`));
                    } else {
                        setTimeout(attempt, 50);
                    }
                });
            };
            attempt();
        });
        const server = new RedisServer(child, socket, "");
        const info = (await server.pipeline([["INFO", "server"]]))[0];
        const version = /redis_version:(\S+)/.exec(String(info))?.[1] ?? "unknown";
        return Object.assign(server, { version });
    }

    /** Sends every command at once and returns the replies in order. */
    pipeline(commands: string[][]): Promise<Reply[]> {
        return this.raw(commands.map(encode).join(""), commands.length);
    }

    private raw(request: string, count: number): Promise<Reply[]> {
        return new Promise((resolve, reject) => {
            let buf = Buffer.alloc(0);
            const replies: Reply[] = [];
            const onData = (chunk: Buffer) => {
                buf = Buffer.concat([buf, chunk]);
                let at = 0;
                for (;;) {
                    const item = parse(buf, at);
                    if (!item) {
                        break;
                    }
                    replies.push(item.value);
                    at = item.next;
                }
                buf = buf.subarray(at);
                if (replies.length === count) {
                    this.socket.off("data", onData);
                    this.socket.off("error", reject);
                    resolve(replies);
                }
            };
            this.socket.on("data", onData);
            this.socket.once("error", reject);
            this.socket.write(request);
        });
    }

    /**
     * Sends one inline command (a line of text, not RESP), which Redis splits with its own
     * sdssplitargs (quotes group, blanks separate), and returns the reply.
     */
    inline(line: string): Promise<Reply> {
        if (/[\r\n]/.test(line)) {
            throw new Error("an inline command is one line");
        }
        return this.raw(`${line}\r\n`, 1).then((r) => r[0]);
    }

    stop(): void {
        this.socket.destroy();
        this.child.kill();
    }
}

/** One command (or `container|subcommand`) as COMMAND INFO describes it. */
export interface CommandInfo {
    name: string;
    arity: number;
    firstKey: number;
    lastKey: number;
    step: number;
    categories: string[];
    /** COMMAND INFO flags, such as `no_auth` (runs whatever the user's ACL says). */
    flags: string[];
}

/** Every command and subcommand of the server, from COMMAND INFO (https://redis.io/docs/latest/commands/command-info/). */
export async function commandInfo(server: RedisServer): Promise<CommandInfo[]> {
    const [info] = await server.pipeline([["COMMAND", "INFO"]]);
    const out: CommandInfo[] = [];
    const read = (entry: Reply[], prefix: string) => {
        const name = `${prefix}${String(entry[0]).toLowerCase()}`;
        out.push({
            name,
            arity: Number(entry[1]),
            firstKey: Number(entry[3]),
            lastKey: Number(entry[4]),
            step: Number(entry[5]),
            categories: (entry[6] as string[]).map((c) => c.replace(/^@/, "")).sort(),
            flags: (entry[2] as string[]).map(String),
        });
        for (const sub of (entry[9] as Reply[][] | undefined) ?? []) {
            // Subcommands are named `container|sub` already.
            read(sub, "");
        }
    };
    for (const entry of info as Reply[][]) {
        read(entry, "");
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Writes core/redisCommands.ts from the server's own COMMAND INFO (`npx ts-node test/redis.ts`). */
async function writeTable(): Promise<void> {
    const server = await RedisServer.start();
    try {
        const commands = await commandInfo(server);
        const [categories] = await server.pipeline([["ACL", "CAT"]]);
        const lines = commands.map(
            (c) =>
                `    ${JSON.stringify(c.name)}: { keyless: ${c.firstKey === 0}, categories: ${JSON.stringify(c.categories)} },`,
        );
        const text = [
            `// Generated by \`npx ts-node --transpile-only test/redis.ts\` from COMMAND INFO of Redis ${server.version}`,
            "// (Debian's redis-server): every command and subcommand, whether it takes keys, and its ACL",
            "// categories. test/acl.test.ts checks it against the server. Do not edit by hand.",
            "",
            `export const redisVersion = ${JSON.stringify(server.version)};`,
            "",
            "/** Every ACL category (ACL CAT). */",
            `export const redisCategories: readonly string[] = ${JSON.stringify(categories)};`,
            "",
            "/** Commands flagged `no_auth`: Redis runs them whatever the user's ACL says. */",
            `export const redisNoAuthCommands: readonly string[] = ${JSON.stringify(commands.filter((c) => c.flags.includes("no_auth")).map((c) => c.name))};`,
            "",
            "export const redisCommands: Record<string, { keyless: boolean; categories: readonly string[] }> = {",
            ...lines,
            "};",
            "",
        ].join("\n");
        require("fs").writeFileSync(require("path").join(__dirname, "..", "core", "redisCommands.ts"), text);
        console.log(`core/redisCommands.ts: ${commands.length} commands of Redis ${server.version}`);
    } finally {
        server.stop();
    }
}

if (require.main === module) {
    writeTable().catch((e) => {
        console.error(e);
        process.exitCode = 1;
    });
}
