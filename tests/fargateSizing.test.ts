// Fargate pod sizing, storage and prices against the EKS user guide ("Understand Fargate Pod configuration details",
// https://docs.aws.amazon.com/eks/latest/userguide/fargate-pod-configuration.html), the AWS Containers blog on larger
// ephemeral volumes, and the dated price extracts: the upstream fixtures tests/fixtures/upstream/fargate-*.tsv.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { FARGATE_POD_SIZES, FARGATE_PRICES, FARGATE_STORAGE, provisionedStorageGiB } from "../config/fargateFacts";
import { billedSeconds, billedStorageGiB, fargatePodSize, fargateSizes, podHourUsd, podRequest } from "../config/fargateSizing";

const fixture = (name: string) =>
    fs
        .readFileSync(path.join(__dirname, "fixtures", "upstream", name), "utf8")
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
        .slice(1)
        .map((l) => l.split("\t"));

const GiB = 1024;

describe("Fargate pod sizes (EKS user guide, Fargate Pod configuration)", () => {
    it("the table is the user guide's, row for row (fixture fargate-pod-sizes.tsv)", () => {
        const rows = fixture("fargate-pod-sizes.tsv").map(([vcpu, min, max, step]) => [+vcpu, +min, +max, +step]);
        assert.deepEqual(
            FARGATE_POD_SIZES.map((r) => [r.vcpu, r.minGiB, r.maxGiB, r.minGiB === r.maxGiB ? 0 : r.stepGiB]),
            rows,
        );
    });

    it("every allowed combination is its own rounding (each row's every step), and 1 MiB more goes to the next one", () => {
        const sizes = fargateSizes();
        assert.equal(sizes.length, 1 + 2 + 4 + 7 + 13 + 23 + 12 + 12);
        for (const [i, s] of sizes.entries()) {
            // A request of exactly the size less the 256 MiB Fargate adds gets exactly that size.
            const exact = { cpuMillis: s.vcpu * 1000, memoryMiB: s.memoryGiB * GiB - 256 };
            assert.deepEqual(fargatePodSize(exact), s, `${s.vcpu}/${s.memoryGiB}`);
            const next = sizes.slice(i + 1).find((n) => n.vcpu >= s.vcpu && n.memoryGiB * GiB >= exact.memoryMiB + 1 + 256);
            assert.deepEqual(
                fargatePodSize({ ...exact, memoryMiB: exact.memoryMiB + 1 }),
                next,
                `${s.vcpu}/${s.memoryGiB} + 1 MiB`,
            );
        }
    });

    it("the user guide's example: 1 vCPU + 8 GB asks 8.25 GB, and no 1 vCPU size has 9 GB: 2 vCPU / 9 GB", () => {
        assert.deepEqual(fargatePodSize({ cpuMillis: 1000, memoryMiB: 8 * GiB }), { vcpu: 2, memoryGiB: 9 });
    });

    it("no request at all gets the smallest size, 0.25 vCPU / 0.5 GB; above 16 vCPU or 120 GB there is none", () => {
        assert.deepEqual(fargatePodSize({ cpuMillis: 0, memoryMiB: 0 }), { vcpu: 0.25, memoryGiB: 0.5 });
        assert.equal(fargatePodSize({ cpuMillis: 16001, memoryMiB: 0 }), undefined);
        assert.equal(fargatePodSize({ cpuMillis: 1000, memoryMiB: 120 * GiB - 255 }), undefined);
        assert.deepEqual(fargatePodSize({ cpuMillis: 16000, memoryMiB: 120 * GiB - 256 }), { vcpu: 16, memoryGiB: 120 });
    });

    it("today's node defaults (1 CPU build + 100m helper) round up to 2 vCPU on Fargate", () => {
        const pod = podRequest({
            containers: [
                { cpuMillis: 1000, memoryMiB: 2 * GiB },
                { cpuMillis: 100, memoryMiB: 128 },
            ],
        });
        assert.deepEqual(fargatePodSize(pod), { vcpu: 2, memoryGiB: 4 });
    });

    it("the pod request is the larger of the biggest init container and the sum of the long-running ones", () => {
        const containers = [
            { cpuMillis: 500, memoryMiB: 512 },
            { cpuMillis: 250, memoryMiB: 256 },
        ];
        assert.deepEqual(podRequest({ containers, init: [{ cpuMillis: 100, memoryMiB: 2048 }] }), {
            cpuMillis: 750,
            memoryMiB: 2048,
        });
        assert.deepEqual(
            podRequest({
                containers,
                init: [
                    { cpuMillis: 2000, memoryMiB: 100 },
                    { cpuMillis: 10, memoryMiB: 10 },
                ],
            }),
            {
                cpuMillis: 2000,
                memoryMiB: 768,
            },
        );
    });
});

describe("Fargate storage and prices", () => {
    it("storage: 20 GiB included, at most 175 GiB requested; the blog's example provisions 115 GiB for 100 and bills 95", () => {
        assert.deepEqual([FARGATE_STORAGE.includedGiB, FARGATE_STORAGE.maxRequestGiB], [20, 175]);
        assert.equal(provisionedStorageGiB(100), 115);
        assert.equal(billedStorageGiB(100), 95);
        assert.equal(billedStorageGiB(undefined), 0);
        assert.equal(billedStorageGiB(10), 0); // 10 + 1 + 5 = 16 GiB, inside the included 20
    });

    it("prices are the dated extracts of fixture fargate-prices.tsv, and an unverified price stays unset", () => {
        const rows = fixture("fargate-prices.tsv");
        for (const [region, usagetype, , usd] of rows) {
            const kind = usagetype.includes("vCPU") ? "vcpuHour" : usagetype.includes("Ephemeral") ? "storageGbHour" : "gbHour";
            assert.equal(FARGATE_PRICES[region][kind], usd === "" ? undefined : Number(usd), `${region} ${usagetype}`);
        }
        // The pricing page's worked example: $0.000011244 per vCPU-second.
        assert.ok(Math.abs(FARGATE_PRICES["us-east-1"].vcpuHour - 0.000011244 * 3600) < 1e-4);
    });

    it("a job-hour: vCPU × vCPU-hour + GB × GB-hour + billed storage × storage GB-hour", () => {
        const p = FARGATE_PRICES["us-east-1"];
        assert.equal(podHourUsd({ vcpu: 1, memoryGiB: 2 }, undefined, p), 0.04048 + 2 * 0.004445);
        // 30 GiB requested → 38 GiB provisioned → 18 billed.
        assert.ok(Math.abs(podHourUsd({ vcpu: 1, memoryGiB: 2 }, 30, p) - (0.04048 + 2 * 0.004445 + 18 * 0.000111)) < 1e-12);
    });

    it("billing: whole seconds, one minute at least", () => {
        assert.deepEqual([billedSeconds(12, 60), billedSeconds(60.2, 60), billedSeconds(3600, 60)], [60, 61, 3600]);
    });
});
