// The config.toml keys only a Fargate runner's `[runners.kubernetes]` carries: the job pod's ephemeral storage.
// Fargate gives every pod 20 GiB (included in the price); the containers' `ephemeral-storage` requests raise it, up to
// 175 GiB per pod (EKS user guide, "Fargate storage"; AWS Containers blog, "AWS Fargate adds support for larger
// ephemeral volumes"). GitLab Runner sets a request per container kind (common/config.go at v18.9.0 and v19.3.0:
// `ephemeral_storage_request`, `helper_ephemeral_storage_request`, `service_ephemeral_storage_request`); a job pod's
// total is their sum, so the build container gets the runner's `ephemeralStorage` less the helper's and one service's
// share, and a job with one service asks exactly `ephemeralStorage` (each further service adds its share).
import { parseMemoryMiB } from "../../config/quantities";

/** GiB requested by the helper container and by each service container of a Fargate job pod. */
export const SIDE_CONTAINER_STORAGE_GIB = 1;

/** → `[runners.kubernetes]` ephemeral storage requests of a Fargate runner; none without `ephemeralStorage`. */
export function fargateStorageKeys(ephemeralStorage: string | undefined): Record<string, string> {
    if (ephemeralStorage === undefined) return {};
    const totalMiB = parseMemoryMiB(ephemeralStorage)!;
    const side = SIDE_CONTAINER_STORAGE_GIB * 1024;
    return {
        ephemeral_storage_request: `${Math.floor(totalMiB - 2 * side)}Mi`,
        helper_ephemeral_storage_request: `${SIDE_CONTAINER_STORAGE_GIB}Gi`,
        service_ephemeral_storage_request: `${SIDE_CONTAINER_STORAGE_GIB}Gi`,
    };
}
