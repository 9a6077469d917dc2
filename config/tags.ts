// AWS limits on the stack's tags (`cluster.tags`, which every taggable resource of the stack carries). AWS's tag
// restrictions, the same in the services this program tags (EKS user guide, "Tagging your Amazon EKS resources",
// https://docs.aws.amazon.com/eks/latest/userguide/eks-using-tags.html, "Tag restrictions"; EKS API reference
// TagResource: "Maximum number of 50 items", key length 1–128, value length ≤ 256,
// https://docs.aws.amazon.com/eks/latest/APIReference/API_TagResource.html; the common AWS Tag type, e.g. the ECS API
// reference `Tag`, for the reserved prefix and the characters):
//   - at most 50 tags per resource (tags under `aws:` do not count, but only AWS may create them);
//   - key 1–128 and value 0–256 Unicode characters;
//   - the prefix `aws:` (any case) is reserved for AWS on keys and values;
//   - generally allowed characters: letters, numbers and spaces representable in UTF-8, and + - = . _ : / @ (other
//     services may refuse others, and one stack's tags go to EC2, EKS, IAM, S3 and CloudWatch Logs alike).
// A rejected tag fails `pulumi up` half way, on whichever resource AWS checks first: validation refuses it up front.
import { joinPath, Problem } from "./problems";

export const AWS_TAG_LIMITS = { perResource: 50, keyLength: 128, valueLength: 256 } as const;

/**
 * The most tags this program adds to one resource on top of `cluster.tags`, counted over every resource it creates:
 * node groups (`eks-gitlab-runners/stack`, `managed-by`, `eks-gitlab-runners/nodegroup` and the drain bound) and pod
 * subnets (`eks-gitlab-runners/stack`, `managed-by`, `Name`, `kubernetes.io/cluster/<name>`) add 4; the EKS cluster
 * adds 3 (`Name` from @pulumi/eks, pulumi/pulumi-eks nodejs/eks/cluster.ts: `{ Name: `${name}-eksCluster`, ...tags }`).
 * A VM runner's Auto Scaling group, launch template and instances stay within it. tests/configLimits.test.ts counts
 * the recorded tags of every resource of both shipped stacks (tag maps, tag lists and tag specifications) against
 * this number.
 */
export const PROGRAM_TAGS_PER_RESOURCE = 4;

/** Stack tags that fit every resource: 50 − what the program adds. */
export const MAX_STACK_TAGS = AWS_TAG_LIMITS.perResource - PROGRAM_TAGS_PER_RESOURCE;

/** Keys this program sets itself; a stack tag of the same key would be overwritten silently. */
export const PROGRAM_TAG_KEYS = ["managed-by", "Name"] as const;
const PROGRAM_TAG_PREFIXES = ["eks-gitlab-runners/", "kubernetes.io/cluster/"] as const;

const ALLOWED = /^[\p{L}\p{N}\s+\-=._:/@]*$/u;
const RESERVED = /^aws:/i;

/** Unicode characters, as AWS counts them (not UTF-16 code units). */
const length = (s: string) => [...s].length;

/** Problems of the stack's tag map (keys and values as AWS will see them). */
export function tagProblems(tags: Readonly<Record<string, string>>): Problem[] {
    const problems: Problem[] = [];
    const at = (key: string) => joinPath("cluster", "tags", key);
    const keys = Object.keys(tags);
    if (keys.length > MAX_STACK_TAGS) {
        problems.push({
            path: "cluster.tags",
            message: `${keys.length} tags, but AWS allows ${AWS_TAG_LIMITS.perResource} per resource and this program adds up to ${PROGRAM_TAGS_PER_RESOURCE} of its own (node groups, pod subnets): keep at most ${MAX_STACK_TAGS}`,
        });
    }
    for (const key of keys) {
        const value = tags[key];
        if (RESERVED.test(key)) problems.push({ path: at(key), message: `keys starting with "aws:" are reserved for AWS` });
        else if (length(key) === 0 || length(key) > AWS_TAG_LIMITS.keyLength)
            problems.push({ path: at(key), message: `a tag key must be 1–${AWS_TAG_LIMITS.keyLength} characters long` });
        else if (!ALLOWED.test(key))
            problems.push({
                path: at(key),
                message: `"${key}" has characters AWS tags do not allow (letters, digits, spaces and + - = . _ : / @ only)`,
            });
        else if ((PROGRAM_TAG_KEYS as readonly string[]).includes(key) || PROGRAM_TAG_PREFIXES.some((p) => key.startsWith(p)))
            problems.push({
                path: at(key),
                message: `"${key}" is set by this program on the resources that carry it; choose another key`,
            });
        if (typeof value !== "string") continue;
        if (RESERVED.test(value)) problems.push({ path: at(key), message: `values starting with "aws:" are reserved for AWS` });
        else if (length(value) > AWS_TAG_LIMITS.valueLength)
            problems.push({
                path: at(key),
                message: `the value is ${length(value)} characters; AWS allows ${AWS_TAG_LIMITS.valueLength}`,
            });
        else if (!ALLOWED.test(value))
            problems.push({
                path: at(key),
                message: `the value has characters AWS tags do not allow (letters, digits, spaces and + - = . _ : / @ only)`,
            });
    }
    return problems;
}
