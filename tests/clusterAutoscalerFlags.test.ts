import { strict as assert } from "assert";
import * as fs from "fs";
import { addonsSchema, containerInsightsEnabled, resolveAddons } from "../config/addons";
import { CLUSTER_AUTOSCALER, CLUSTER_AUTOSCALER_IMAGES, clusterAutoscalerValues } from "../config/addons/clusterAutoscaler";
import { CLUSTER_AUTOSCALER_OWNED_FLAGS } from "../config/addons/clusterAutoscalerArgs";
import type { ClusterConfig } from "../config/cluster";
import {
    CHART_RENDERED_FLAGS,
    CLUSTER_AUTOSCALER_FLAG_VERSIONS,
    CLUSTER_AUTOSCALER_FLAGS_BY_VERSION,
    clusterAutoscalerFlags,
} from "../config/clusterAutoscalerFlags";
import { CLUSTER_AUTOSCALER_FLAG_LISTS } from "../config/clusterAutoscalerFlags.data";
import { EKS_VERSIONS, EksVersion } from "../config/versions";
import { DATA_FILE, readFlagFixtures, renderFlagData } from "../scripts/generate-cluster-autoscaler-flags";

const PINNED = EKS_VERSIONS.map((minor) => CLUSTER_AUTOSCALER_IMAGES[minor]);

/** The flags of a pinned image, failing the test (not throwing a TypeError) when it has none. */
function flagsOf(tag: string): ReadonlySet<string> {
    const list = clusterAutoscalerFlags(tag);
    assert.ok(list, `no flag list for Cluster Autoscaler image ${tag}`);
    return list.flags;
}

/** Every flag the program puts on the autoscaler's command line for a cluster of this minor with default addons. */
function renderedFlags(minor: EksVersion): string[] {
    const parsed = addonsSchema.parse(undefined);
    const { addons, problems } = resolveAddons(parsed, {
        cluster: { version: minor } as ClusterConfig,
        nodeGroups: { jobs: [] },
        containerInsights: containerInsightsEnabled(parsed),
    });
    assert.deepEqual(problems, []);
    const values = clusterAutoscalerValues({
        config: addons.clusterAutoscaler,
        clusterName: "flags-fixture",
        region: "eu-west-1",
        management: { labels: {}, taints: [], arch: "amd64" },
    }) as { extraArgs: Record<string, string>; image: { tag: string } };
    assert.equal(values.image.tag, CLUSTER_AUTOSCALER_IMAGES[minor]);
    return [...Object.keys(values.extraArgs), ...CHART_RENDERED_FLAGS];
}

describe("Cluster Autoscaler flags per image", () => {
    it("every pinned image has a flag list, and every list belongs to a pinned image", () => {
        for (const tag of PINNED) assert.equal(clusterAutoscalerFlags(tag)?.version, tag.slice(1));
        assert.deepEqual(
            CLUSTER_AUTOSCALER_FLAG_VERSIONS,
            PINNED.map((tag) => tag.slice(1)),
        );
        assert.deepEqual(Object.keys(CLUSTER_AUTOSCALER_FLAGS_BY_VERSION), [...CLUSTER_AUTOSCALER_FLAG_VERSIONS]);
    });

    it("the generated data holds exactly the fixtures' lists", () => {
        const fixtures = readFlagFixtures();
        assert.deepEqual([...fixtures.keys()], Object.keys(CLUSTER_AUTOSCALER_FLAG_LISTS));
        for (const [version, flags] of fixtures) {
            assert.deepEqual(
                CLUSTER_AUTOSCALER_FLAG_LISTS[version as keyof typeof CLUSTER_AUTOSCALER_FLAG_LISTS],
                flags,
                version,
            );
        }
        assert.equal(
            fs.readFileSync(DATA_FILE, "utf8"),
            renderFlagData(fixtures),
            "config/clusterAutoscalerFlags.data.ts was edited by hand: regenerate it",
        );
    });

    it("sizes of the lists read from each tag", () => {
        const sizes = Object.fromEntries([...readFlagFixtures()].map(([v, flags]) => [v, flags.length]));
        assert.deepEqual(sizes, { "1.30.7": 132, "1.31.5": 138, "1.32.7": 145, "1.33.6": 144, "1.34.5": 147, "1.35.2": 154 });
    });

    // Real differences, each read from kubernetes/autoscaler (main.go up to 1.32, config/flags/flags.go from 1.33).
    const DIFFERENCES: { flag: string; in: string; notIn: string; why: string }[] = [
        { flag: "async-node-groups", in: "v1.31.5", notIn: "v1.30.7", why: "added by c06ec4b324 (1.31)" },
        { flag: "force-delete-failed-nodes", in: "v1.31.5", notIn: "v1.30.7", why: "backported in 1.31.5 (a5837698f6)" },
        { flag: "parallel-drain", in: "v1.31.5", notIn: "v1.32.7", why: "removed by 7f30a7b8d1 (1.32)" },
        { flag: "max-empty-bulk-delete", in: "v1.32.7", notIn: "v1.33.6", why: "removed by 241ad7af1e (1.33)" },
        { flag: "node-autoprovisioning-enabled", in: "v1.32.7", notIn: "v1.33.6", why: "removed by 241ad7af1e (1.33)" },
        { flag: "capacity-buffer-controller-enabled", in: "v1.34.5", notIn: "v1.33.6", why: "added by 4cce41fc53 (1.34)" },
        { flag: "enable-csi-node-aware-scheduling", in: "v1.35.2", notIn: "v1.34.5", why: "added by c54baaa11e (1.35)" },
    ];
    for (const d of DIFFERENCES) {
        it(`${d.flag}: a flag of ${d.in}, not of ${d.notIn} (${d.why})`, () => {
            assert.ok(flagsOf(d.in).has(d.flag));
            assert.ok(!flagsOf(d.notIn).has(d.flag));
        });
    }

    it("the chart-rendered flags are those of the pinned chart version", () => {
        // CHART_RENDERED_FLAGS was read from chart 9.59.0; another chart version must be read again.
        assert.equal(CLUSTER_AUTOSCALER.chart.version, "9.59.0");
    });

    for (const minor of EKS_VERSIONS) {
        it(`every flag the program renders for a ${minor} cluster is a flag of its image ${CLUSTER_AUTOSCALER_IMAGES[minor]}`, () => {
            const flags = flagsOf(CLUSTER_AUTOSCALER_IMAGES[minor]);
            const rendered = renderedFlags(minor);
            assert.ok(rendered.includes("leader-elect") && rendered.includes("expander"), rendered.join(", "));
            for (const flag of rendered)
                assert.ok(flags.has(flag), `--${flag} is not a flag of ${CLUSTER_AUTOSCALER_IMAGES[minor]}`);
        });
    }

    it("the flags the program owns exist in every pinned image", () => {
        for (const tag of PINNED) {
            for (const flag of Object.keys(CLUSTER_AUTOSCALER_OWNED_FLAGS))
                assert.ok(flagsOf(tag).has(flag), `${flag} in ${tag}`);
        }
    });

    it("has no list for a tag it has not read", () => {
        for (const tag of ["v1.34.1", "v1.33.0", "1.35.2", "v1.35", "v1.35.2 ", "latest", "", "v1.36.1"]) {
            assert.equal(clusterAutoscalerFlags(tag), undefined, JSON.stringify(tag));
        }
    });
});
