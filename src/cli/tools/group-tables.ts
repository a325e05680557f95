/**
 * The tables `kafka-consumer-groups.sh` prints, column for column: the offsets table of
 * `--describe` (GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID,
 * with "-" for what is missing), `--members`, `--state`, `--list --state` and the NEW-OFFSET table
 * of `--reset-offsets`. Each function returns the lines to print; as Kafka's, the describe tables
 * start with an empty line.
 *
 * @example
 * ```ts
 * offsetsTable("hello-group", [{ topic: "hello.kafka", partition: 0, currentOffset: 4, logEndOffset: 4, lag: 0, consumerId: null, host: null, clientId: null }]);
 * // ["", "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  ...", "hello-group     hello.kafka     0          4 ..."]
 * ```
 * @module
 */
import type { WireGroupDescription, WireGroupListing, WireLagRow, WirePlannedOffset } from "../../protocol/index.ts";
import { columnWidth, formatRow } from "./columns.ts";

const MISSING = "-";

function shown(value: string | number | null): string {
  return value === null ? MISSING : String(value);
}

/**
 * The offsets table of one group (`--describe`, `--describe --offsets`).
 *
 * @example
 * ```ts
 * offsetsTable("g", rows).join("\n");
 * ```
 */
export function offsetsTable(group: string, rows: readonly WireLagRow[]): string[] {
  const cells = rows.map((r) => [
    group,
    shown(r.topic),
    shown(r.partition),
    shown(r.currentOffset),
    shown(r.logEndOffset),
    shown(r.lag),
    shown(r.consumerId),
    shown(r.host),
    shown(r.clientId),
  ]);
  const widths = [
    columnWidth([group], 15),
    columnWidth(cells.map((c) => c[1]!), 15),
    10,
    15,
    15,
    15,
    columnWidth(cells.map((c) => c[6]!), 15),
    columnWidth(cells.map((c) => c[7]!), 15),
    undefined,
  ];
  const header = ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"];
  return ["", formatRow(header, widths), ...cells.map((c) => formatRow(c, widths))];
}

/**
 * The members table of one group (`--describe --members`, with `--verbose` the ASSIGNMENT column).
 *
 * @example
 * ```ts
 * membersTable(description, true);
 * ```
 */
export function membersTable(group: Omit<WireGroupDescription, "error">, verbose: boolean): string[] {
  const members = group.members;
  const withInstance = members.some((m) => m.instanceId !== null && m.instanceId !== "");
  const count = (m: (typeof members)[number]): number => m.assignment.reduce((n, t) => n + t.partitions.length, 0);
  const rows = members.map((m) => {
    const cells = [group.groupId, m.memberId, ...(withInstance ? [m.instanceId ?? ""] : []), m.host, m.clientId, String(count(m))];
    const assignment =
      m.assignment.length === 0
        ? MISSING
        : m.assignment
            .map((t) => `${t.topic}(${[...t.partitions].sort((a, b) => a - b).join(",")})`)
            .sort()
            .join(", ");
    return { cells, assignment };
  });
  const column = (i: number, min: number): number => columnWidth(rows.map((r) => r.cells[i]!), min);
  const widths = withInstance
    ? [columnWidth([group.groupId], 15), column(1, 15), column(2, 17), column(3, 15), column(4, 15), 15]
    : [columnWidth([group.groupId], 15), column(1, 15), column(2, 15), column(3, 15), 15];
  const header = ["GROUP", "CONSUMER-ID", ...(withInstance ? ["GROUP-INSTANCE-ID"] : []), "HOST", "CLIENT-ID", "#PARTITIONS"];
  const line = (cells: string[], tail: string): string => `${formatRow(cells, widths)} ${verbose ? tail : ""}`;
  return ["", line(header, "ASSIGNMENT"), ...rows.map((r) => line(r.cells, r.assignment))];
}

/**
 * The state table of one group (`--describe --state`); `coordinator` is "host:port  (id)".
 *
 * @example
 * ```ts
 * stateTable(description, "127.0.0.1:9092  (0)"); // ["", "GROUP ... #MEMBERS", "g ... Stable 1"]
 * ```
 */
export function stateTable(group: Omit<WireGroupDescription, "error">, coordinator: string): string[] {
  const first = Math.max(25, coordinator.length);
  const widths = [first, 25, 20, 15, undefined];
  return [
    "",
    formatRow(["GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"], widths),
    formatRow([group.groupId, coordinator, group.assignor, group.state, String(group.members.length)], widths),
  ];
}

/**
 * `--list` with `--state`: GROUP and STATE columns.
 *
 * @example
 * ```ts
 * groupStatesTable([{ groupId: "g", state: "Empty", protocolType: "consumer" }]);
 * ```
 */
export function groupStatesTable(groups: readonly WireGroupListing[]): string[] {
  const widths = [columnWidth(groups.map((g) => g.groupId), 15) + 10, 20];
  return [formatRow(["GROUP", "STATE"], widths), ...groups.map((g) => formatRow([g.groupId, g.state], widths))];
}

/**
 * The NEW-OFFSET table of `--reset-offsets` (the header alone when nothing is reset).
 *
 * @example
 * ```ts
 * resetTable("g", [{ topic: "t", partition: 0, previousOffset: 5, newOffset: 0 }]);
 * ```
 */
export function resetTable(group: string, partitions: readonly WirePlannedOffset[]): string[] {
  const widths = [30, 30, 10, 15];
  return [
    "",
    formatRow(["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"], widths),
    ...partitions.map((p) => formatRow([group, p.topic, String(p.partition), String(p.newOffset)], widths)),
  ];
}
