// Caller tags, bounded as AWS bounds tags ("Tag naming limits and requirements",
// https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): at most 50 tags per
// resource, keys up to 128 characters, values up to 256, and the `aws:` prefix reserved for AWS.
import { ProblemCollector } from "./problems";

export const maxTagsPerResource = 50;
/** compliance:framework, compliance:hipaa, hitrust:component, and Name on the security group. */
export const componentTagCount = 4;

export function checkTags(tags: Record<string, string>, c: ProblemCollector): void {
    const keys = Object.keys(tags);
    if (keys.length > maxTagsPerResource - componentTagCount) {
        c.add(
            "tags",
            `${keys.length} tags; with the component's ${componentTagCount} a resource would exceed AWS's ${maxTagsPerResource}`,
            `pass at most ${maxTagsPerResource - componentTagCount} tags`,
        );
    }
    for (const key of keys) {
        if (key.toLowerCase().startsWith("aws:")) {
            c.add(`tags.${key}`, "the aws: prefix is reserved for AWS", "use another key");
        } else if (key.length === 0 || key.length > 128) {
            c.add(`tags.${key}`, `a key of ${key.length} characters`, "use a key of 1 to 128 characters");
        } else if (tags[key].length > 256) {
            c.add(`tags.${key}`, `a value of ${tags[key].length} characters`, "use a value of at most 256 characters");
        }
    }
}
