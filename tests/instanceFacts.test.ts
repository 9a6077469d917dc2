// The instance-type table: which types are supported and their facts (arch, memory, ENIs, max pods).
import { strict as assert } from "assert";
import { SUPPORTED_FAMILIES, SUPPORTED_INSTANCE_TYPES, instanceFacts } from "../config/instanceTypes";
import { ALL, facts } from "./support/instanceFacts";

describe("instance facts", () => {
    it("hand-checked types", () => {
        assert.deepEqual(facts("m7g.2xlarge"), {
            name: "m7g.2xlarge",
            vcpu: 8,
            memoryMiB: 32768,
            arch: "arm64",
            maxEnis: 4,
            ipv4PerEni: 15,
            maxPods: 58,
        });
        assert.equal(facts("m5.xlarge").maxPods, 58);
        assert.equal(facts("m5.xlarge").arch, "amd64");
        assert.equal(facts("t3.medium").maxPods, 17); // 3 × (6 − 1) + 2
        assert.equal(facts("c7g.xlarge").memoryMiB, 8192);
        assert.equal(facts("r6i.2xlarge").memoryMiB, 65536);
    });

    it("includes the extra sizes of supported families up to 8xlarge", () => {
        for (const name of ["c6i.large", "r6i.4xlarge", "m7g.8xlarge", "m6g.medium", "t3.xlarge", "c7a.8xlarge"]) {
            assert.ok(instanceFacts(name), name);
        }
    });

    it("excludes larger, metal, unsupported and nonsense names", () => {
        for (const name of [
            "m5.12xlarge",
            "m7g.16xlarge",
            "m5.metal",
            "c7i.metal-24xl",
            "c7i.32xlarge",
            "a1.large",
            "p3.2xlarge",
            "m7i-flex.large",
            "",
            "M5.LARGE",
            "constructor",
            "__proto__",
            "toString",
        ]) {
            assert.equal(instanceFacts(name), undefined, name);
        }
    });

    it("supported families", () => {
        assert.deepEqual(SUPPORTED_FAMILIES, [
            "c6i",
            "c7a",
            "c7g",
            "c7i",
            "m5",
            "m6g",
            "m6i",
            "m7a",
            "m7g",
            "m7i",
            "m8g",
            "r6i",
            "t3",
        ]);
    });

    it("supported types are sorted by family, then size, without duplicates", () => {
        assert.equal(new Set(SUPPORTED_INSTANCE_TYPES).size, SUPPORTED_INSTANCE_TYPES.length);
        assert.equal(SUPPORTED_INSTANCE_TYPES.length, 70);
        for (let i = 1; i < ALL.length; i++) {
            const [a, b] = [ALL[i - 1], ALL[i]];
            const [fa, fb] = [a.name.split(".")[0], b.name.split(".")[0]];
            assert.ok(
                fa < fb || (fa === fb && (a.vcpu < b.vcpu || (a.vcpu === b.vcpu && a.memoryMiB < b.memoryMiB))),
                `${a.name} before ${b.name}`,
            );
        }
        assert.deepEqual(
            SUPPORTED_INSTANCE_TYPES.filter((t) => t.startsWith("t3.")),
            ["t3.medium", "t3.large", "t3.xlarge", "t3.2xlarge"],
        );
    });

    it("every type: sane facts, arch, size at most 8xlarge", () => {
        for (const f of ALL) {
            assert.ok(f.arch === "amd64" || f.arch === "arm64", f.name);
            assert.ok(/^[a-z0-9]+\.(medium|large|xlarge|[2-8]xlarge)$/.test(f.name), f.name);
            assert.ok(f.vcpu >= 1 && f.vcpu <= 32, f.name);
            assert.ok(f.memoryMiB >= 512 && f.memoryMiB % 512 === 0, f.name);
            assert.ok(f.maxEnis >= 2 && f.ipv4PerEni >= 2, f.name);
        }
    });

    it("Graviton families are arm64, the others amd64", () => {
        for (const f of ALL) {
            assert.equal(f.arch, /^[a-z]\dg\./.test(f.name) ? "arm64" : "amd64", f.name);
        }
    });

    it("maxPods = ENIs × (IPv4 per ENI − 1) + 2 (no supported type is capped)", () => {
        for (const f of ALL) {
            const formula = f.maxEnis * (f.ipv4PerEni - 1) + 2;
            const capped = (f.maxPods === 110 || f.maxPods === 250) && formula > f.maxPods;
            assert.ok(!capped, `${f.name} is capped; this test assumes none is`);
            assert.equal(f.maxPods, formula, f.name);
        }
    });
});
