import type {
    Clock,
    DrainApi,
    DrainLogger,
    EvictionResult,
    NodeState,
    PodState,
} from "../../components/nodegroups/lifecycle/drain";

/** A clock whose sleep advances time at once and runs whatever was scheduled up to the new time. */
export class FakeClock implements Clock {
    public t = 0;
    public readonly sleeps: number[] = [];
    private events: { at: number; run: () => void }[] = [];

    now(): number {
        return this.t;
    }
    async sleep(ms: number): Promise<void> {
        if (!(ms >= 0)) throw new Error(`negative sleep ${ms}`);
        this.sleeps.push(ms);
        this.advance(ms);
    }
    /** Runs `run` once the clock reaches `seconds` (from zero). */
    at(seconds: number, run: () => void): void {
        this.events.push({ at: seconds * 1000, run });
    }
    advance(ms: number): void {
        this.t += ms;
        const due = this.events.filter((e) => e.at <= this.t).sort((a, b) => a.at - b.at);
        this.events = this.events.filter((e) => e.at > this.t);
        for (const e of due) e.run();
    }
}

export class RecordingLogger implements DrainLogger {
    public readonly lines: string[] = [];
    info(message: string): void {
        this.lines.push(`info ${message}`);
    }
    warn(message: string): void {
        this.lines.push(`warn ${message}`);
    }
    has(level: "info" | "warn", pattern: RegExp): boolean {
        return this.lines.some((l) => l.startsWith(level) && pattern.test(l));
    }
}

interface FakePod {
    pod: PodState;
    node: string;
    /** Evictions answered 429 before one is allowed. */
    pdbRefusals: number;
    /** Seconds an evicted pod stays terminating (its preStop and grace period). */
    graceSeconds: number;
}

export type PodSpec = Partial<Omit<PodState, "namespace" | "name">> & { pdbRefusals?: number; graceSeconds?: number };

/**
 * An in-memory cluster and ASG behind the DrainApi: nodes by node group, pods by node, PodDisruptionBudgets as a count
 * of 429 answers, and switches for failing calls. `calls` records every call in order.
 */
export class FakeCluster implements DrainApi {
    public readonly calls: string[] = [];
    public readonly asgTags = new Map<string, Set<string>>();
    /** Number of upcoming listNodes calls that throw (Infinity: all of them). */
    public failListNodes = 0;
    public failRemoveTag = 0;
    private nodes = new Map<string, { group: string; unschedulable: boolean }>();
    private pods = new Map<string, FakePod>();

    constructor(private readonly clock: FakeClock) {}

    addNode(name: string, group: string): this {
        this.nodes.set(name, { group, unschedulable: false });
        return this;
    }
    removeNode(name: string): void {
        this.nodes.delete(name);
        for (const [key, p] of this.pods) if (p.node === name) this.pods.delete(key);
    }
    addPod(node: string, id: string, spec: PodSpec = {}): this {
        const [namespace, name] = id.split("/");
        const { pdbRefusals = 0, graceSeconds = 0, ...state } = spec;
        const pod: PodState = { namespace, name, labels: {}, annotations: {}, phase: "Running", terminating: false, ...state };
        this.pods.set(id, { pod, node, pdbRefusals, graceSeconds });
        return this;
    }
    /** The pod ends on its own (a CI job finishing; the runner deletes its pod). */
    finish(id: string): void {
        this.pods.delete(id);
    }
    podIds(): string[] {
        return [...this.pods.keys()].sort();
    }
    isCordoned(node: string): boolean {
        return this.nodes.get(node)?.unschedulable ?? false;
    }

    async listNodes(group: string): Promise<NodeState[]> {
        this.calls.push(`listNodes ${group}`);
        if (this.failListNodes > 0) {
            this.failListNodes -= 1;
            throw new Error("connect ETIMEDOUT 10.0.0.1:443");
        }
        return [...this.nodes]
            .filter(([, n]) => n.group === group)
            .map(([name, n]) => ({ name, unschedulable: n.unschedulable }))
            .sort((a, b) => a.name.localeCompare(b.name));
    }
    async cordon(node: string): Promise<void> {
        this.calls.push(`cordon ${node}`);
        const n = this.nodes.get(node);
        if (n) n.unschedulable = true;
    }
    async listPods(node: string): Promise<PodState[]> {
        this.calls.push(`listPods ${node}`);
        return [...this.pods.values()].filter((p) => p.node === node).map((p) => p.pod);
    }
    async evict(namespace: string, name: string): Promise<EvictionResult> {
        const id = `${namespace}/${name}`;
        this.calls.push(`evict ${id}`);
        const p = this.pods.get(id);
        if (!p) return "gone";
        if (p.pdbRefusals > 0) {
            p.pdbRefusals -= 1;
            return "blocked";
        }
        p.pod = { ...p.pod, terminating: true };
        if (p.graceSeconds === 0) this.pods.delete(id);
        else this.clock.at(this.clock.t / 1000 + p.graceSeconds, () => this.pods.delete(id));
        return "evicted";
    }
    async removeAsgTag(asgName: string, key: string): Promise<void> {
        this.calls.push(`removeAsgTag ${asgName} ${key}`);
        if (this.failRemoveTag > 0) {
            this.failRemoveTag -= 1;
            throw new Error("Rate exceeded");
        }
        this.asgTags.get(asgName)?.delete(key);
    }
}
