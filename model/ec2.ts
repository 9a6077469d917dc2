// EC2 and Auto Scaling settings every machine this program launches shares: node-group nodes and VM-runner VMs.
// Plain data, so launch templates of both kinds are built from one definition and tested directly.

/**
 * Instance metadata: IMDSv2 only, with a PUT response hop limit of 1, so nothing one network hop away from the host
 * (a pod, a Docker container on a bridge network) can reach instance metadata or an instance role's credentials.
 * Processes on the host itself still can: kubelet and the VPC CNI on nodes, the EC2 Instance Connect
 * `AuthorizedKeysCommand` of sshd on VM-runner VMs (EC2 user guide, "Connect using EC2 Instance Connect": the pushed
 * key is read from instance metadata).
 */
export const HARDENED_METADATA_OPTIONS = {
    httpEndpoint: "enabled",
    httpTokens: "required",
    httpPutResponseHopLimit: 1,
    instanceMetadataTags: "disabled",
} as const;

/** One encrypted gp3 EBS volume, deleted with its instance (launch template `blockDeviceMappings` entry). */
export function encryptedGp3Volume(deviceName: string, sizeGiB: number) {
    return {
        deviceName,
        ebs: { volumeSize: sizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
    };
}

/** Launch template tag specifications: the same tags (with a Name) on every instance and its volumes. */
export function instanceTagSpecifications(tags: Record<string, string>) {
    return [
        { resourceType: "instance", tags },
        { resourceType: "volume", tags },
    ];
}

/**
 * The Auto Scaling process that terminates instances to even out AZs, with no regard for the CI jobs running on
 * them: suspended on every group that runs jobs (seed 000/001 for node groups; for VM runners the fleeting AWS
 * plugin's README, "Autoscaling Group Setup": "Process AZRebalance should be suspended", and GitLab Runner
 * docs/executors/docker_autoscaler.md at v18.9.0: jobs fail with `unable to acquire instance: context deadline
 * exceeded` while it is on).
 */
export const SUSPENDED_PROCESSES = ["AZRebalance"];
