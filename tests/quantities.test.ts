// Parsing and formatting of Kubernetes CPU and memory quantities.
import { strict as assert } from "assert";
import { formatCpuMillis, formatMiB, parseCpuMillis, parseMemoryMiB } from "../config/quantities";

describe("quantities", () => {
    describe("parseCpuMillis", () => {
        const valid: [string, number][] = [
            ["500m", 500],
            ["1", 1000],
            ["1.5", 1500],
            ["2", 2000],
            ["0", 0],
            ["0.25", 250],
            [".5", 500],
            ["1.1", 1100], // exact, not 1100.0000000000002
            ["3.92", 3920],
            ["0.0001", 1], // below a millicore rounds up, as in Kubernetes
            ["2.5m", 3],
            ["250m", 250],
        ];
        for (const [q, want] of valid) {
            it(`"${q}" → ${want}`, () => assert.equal(parseCpuMillis(q), want));
        }
        const invalid = [
            "",
            " ",
            "-1",
            "-500m",
            "+1",
            "abc",
            "1e3",
            "1.",
            "1..5",
            "500 m",
            " 500m",
            "1Gi",
            "1k",
            "m",
            "1mm",
            "0x10",
            "NaN",
            "Infinity",
        ];
        for (const q of invalid) {
            it(`rejects "${q}"`, () => assert.equal(parseCpuMillis(q), undefined));
        }
    });

    describe("parseMemoryMiB", () => {
        const valid: [string, number][] = [
            ["512Mi", 512],
            ["1Gi", 1024],
            ["1.5Gi", 1536],
            ["2048Ki", 2],
            ["1Ti", 1024 * 1024],
            ["1048576", 1],
            ["0", 0],
            ["1k", 1000 / 1048576],
            ["1M", 1e6 / 1048576],
            ["1G", 1e9 / 1048576],
            ["1T", 1e12 / 1048576],
            ["0.5Mi", 0.5],
        ];
        for (const [q, want] of valid) {
            it(`"${q}" → ${want}`, () => assert.ok(Math.abs(parseMemoryMiB(q)! - want) < 1e-9, `got ${parseMemoryMiB(q)}`));
        }
        const invalid = [
            "",
            "-1Gi",
            "+1Gi",
            "Gi",
            "1gi",
            "1GB",
            "1 Gi",
            "1Gi ",
            "1.Gi",
            "512m",
            "1K",
            "1e9",
            "1Pi",
            "lots",
            "1.5.Gi",
        ];
        for (const q of invalid) {
            it(`rejects "${q}"`, () => assert.equal(parseMemoryMiB(q), undefined));
        }
    });

    it("formatMiB", () => {
        assert.equal(formatMiB(512), "512Mi");
        assert.equal(formatMiB(0), "0Mi");
        assert.equal(formatMiB(1024), "1Gi");
        assert.equal(formatMiB(30520), "29.8Gi"); // 30520 / 1024 = 29.80…
        assert.equal(formatMiB(32768), "32Gi");
        assert.equal(formatMiB(15391), "15Gi"); // 15.03 → one decimal "15.0" → "15"
    });

    it("formatCpuMillis", () => {
        assert.equal(formatCpuMillis(500), "500m");
        assert.equal(formatCpuMillis(3920), "3.92");
        assert.equal(formatCpuMillis(2000), "2");
        assert.equal(formatCpuMillis(1930), "1.93");
        assert.equal(formatCpuMillis(1500), "1.5");
        assert.equal(formatCpuMillis(0), "0m");
    });

    it("formatted values parse back", () => {
        for (const m of [250, 1500, 3920, 15890]) assert.equal(parseCpuMillis(formatCpuMillis(m)), m);
        for (const mib of [512, 1024, 1536, 32768]) assert.equal(parseMemoryMiB(formatMiB(mib)), mib);
    });
});
