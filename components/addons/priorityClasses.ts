/**
 * Priority class names shared by the platform: platform pods (autoscaler, metrics-server, runner managers) outrank
 * CI jobs so a busy cluster pre-empts jobs, never the pods that schedule them; warm-capacity placeholders rank below
 * jobs so any job evicts them at once.
 */
export const PRIORITY_CLASSES = {
    platform: "eks-gitlab-runners-platform",
    jobs: "eks-gitlab-runners-jobs",
    warmCapacity: "eks-gitlab-runners-warm-capacity",
} as const;
