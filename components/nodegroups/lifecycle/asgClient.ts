/**
 * The AWS half of the drain's client interface: removing one tag from an Auto Scaling group
 * (DeleteTags, https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteTags.html), through
 * @aws-sdk/client-auto-scaling. Needs `autoscaling:DeleteTags` on the group, which the deploy role already has for
 * the aws.autoscaling.Tag resources it manages.
 */
import type { AsgTagApi } from "./drain";

/** The one SDK method used (an AutoScalingClient; a fake in tests). */
export interface AutoScalingSender {
    send(command: object): Promise<unknown>;
}

/** The ASG of a node group being deleted may be gone already (as in azRebalance.ts's removeSuspension). */
export const isAsgNotFound = (err: unknown) => /not found|does not exist/i.test(String((err as Error | null)?.message));

/** A tag-removal client; `client` defaults to an SDK client for `region`, created on first use. */
export function asgTagApi(region: string, client?: AutoScalingSender): AsgTagApi {
    const sdk = () => require("@aws-sdk/client-auto-scaling");
    let sender = client;
    return {
        async removeAsgTag(asgName, key) {
            sender ??= new (sdk().AutoScalingClient)({ region }) as AutoScalingSender;
            const { DeleteTagsCommand } = sdk();
            try {
                // Key, ResourceId and ResourceType identify the tag; the value is not needed to delete it.
                await sender.send(
                    new DeleteTagsCommand({ Tags: [{ ResourceId: asgName, ResourceType: "auto-scaling-group", Key: key }] }),
                );
            } catch (err) {
                if (!isAsgNotFound(err)) throw err;
            }
        },
    };
}
