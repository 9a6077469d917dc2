// On-demand prices and Spot savings per instance type and region.
import { strict as assert } from "assert";
import { ONDEMAND_USD_PER_HOUR, SPOT_SAVINGS } from "../config/instanceFacts.data";
import { PRICES_AS_OF, PRICE_REGIONS, instanceFacts, onDemandPrice, spotSavings } from "../config/instanceTypes";
import { ALL } from "./support/instanceFacts";

describe("prices and spot savings", () => {
    it("every type with a price or spot data is a supported type", () => {
        for (const table of [ONDEMAND_USD_PER_HOUR, SPOT_SAVINGS]) {
            for (const [region, byType] of Object.entries(table)) {
                for (const type of Object.keys(byType)) assert.ok(instanceFacts(type), `${type} in ${region}`);
            }
        }
    });

    it("regions and dates", () => {
        assert.deepEqual([...PRICE_REGIONS].sort(), ["eu-west-1", "us-east-1"]);
        for (const region of PRICE_REGIONS) {
            assert.match((PRICES_AS_OF as Record<string, string>)[region] ?? "", /^\d{4}-\d{2}-\d{2}$/, region);
        }
        assert.equal(PRICES_AS_OF["us-east-1"], "2026-07-20");
        assert.equal(PRICES_AS_OF["eu-west-1"], "2026-09-04");
    });

    it("lookups", () => {
        assert.equal(onDemandPrice("m5.large", "us-east-1"), 0.096);
        assert.equal(onDemandPrice("m7g.2xlarge", "eu-west-1"), 0.3638);
        assert.equal(onDemandPrice("m5.large", "ap-south-1"), undefined);
        assert.equal(onDemandPrice("m5.8xlarge", "us-east-1"), undefined); // supported, but not priced
        assert.equal(onDemandPrice("toString", "us-east-1"), undefined);
        assert.deepEqual(spotSavings("c7g.4xlarge", "us-east-1"), { savingsPct: 71, interruptionBand: "<5%" });
        assert.equal(spotSavings("m5.large", "ap-south-1"), undefined);
    });

    it("prices are positive and double with each size step (x86 and Graviton alike)", () => {
        for (const region of PRICE_REGIONS) {
            for (const f of ALL) {
                const price = onDemandPrice(f.name, region);
                if (price === undefined) continue;
                assert.ok(price > 0 && price < 5, `${f.name} ${region}`);
                const [fam, size] = f.name.split(".");
                const m = /^(\d*)xlarge$/.exec(size);
                const half = m
                    ? `${fam}.${m[1] === "" ? "large" : m[1] === "2" ? "xlarge" : `${Number(m[1]) / 2}xlarge`}`
                    : undefined;
                const halfPrice = half === undefined ? undefined : onDemandPrice(half, region);
                if (halfPrice !== undefined)
                    assert.ok(Math.abs(price - 2 * halfPrice) < 0.0015, `${f.name} vs ${half} in ${region}`);
            }
        }
    });

    it("spot savings are percentages", () => {
        for (const region of Object.keys(SPOT_SAVINGS)) {
            for (const f of ALL) {
                const s = spotSavings(f.name, region);
                if (s) assert.ok(Number.isInteger(s.savingsPct) && s.savingsPct > 0 && s.savingsPct < 100, `${f.name} ${region}`);
            }
        }
    });
});
