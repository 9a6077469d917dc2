// The runbook sections alarms link to: headings of docs/runbook/monitoring.md (a test checks each exists there and
// that every alarm links one).

/** Alarm → heading of its section in docs/runbook/monitoring.md. */
export const RUNBOOK = {
    pending: "Job pods pending",
    saturated: "Runner saturated",
    queue: "Jobs wait in GitLab's queue",
    errors: "Runner errors",
    gitlab5xx: "GitLab API 5xx",
    killed: "Jobs killed (OOMKilled)",
    unschedulable: "Unschedulable pods",
    failedScaleUps: "Failed scale-ups",
    backoff: "Node group in backoff",
    atMax: "Node group at maxSize",
    spot: "Spot interruptions",
    managersDown: "Runner managers down",
    failedNodes: "Nodes not Ready",
    karpenterSilent: "Karpenter silent or unsynced",
    failedLaunches: "Node launches failing",
    podsUnbound: "Job pods waiting for a node",
    poolAtLimit: "Node pool at cpuLimit",
    interruptionBacklog: "Interruption queue backlog",
} as const;

/** The anchor GitLab and GitHub give a Markdown heading: lower case, punctuation dropped, spaces to dashes. */
export function headingAnchor(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9 _-]/g, "")
        .replace(/ /g, "-");
}

/** "Runbook: <page>#<anchor>" for an alarm description. */
export function runbookLink(runbookUrl: string, section: keyof typeof RUNBOOK): string {
    return `Runbook: ${runbookUrl}#${headingAnchor(RUNBOOK[section])}`;
}
