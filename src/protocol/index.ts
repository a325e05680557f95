/**
 * The edgelog WebSocket protocol v1 (docs/protocol.md): frame encoding (CBOR and JSON), the request
 * envelope and error replies, one decoder per op, push frames, flow-control credit and version
 * negotiation. Pure: runs unchanged on Node, Bun, Deno and in browsers; used by the server and the
 * client.
 *
 * @example
 * ```ts
 * import { decodeFrame, decodeRequest, encodeFrame, errorFrame, formatOf, requestIdOf } from "./index.ts";
 * let frame: unknown = null;
 * try {
 *   frame = decodeFrame(message);
 *   const request = decodeRequest(frame);
 *   // ... handle request.op
 * } catch (e) {
 *   socket.send(encodeFrame(errorFrame(requestIdOf(frame), e), formatOf(message)));
 * }
 * ```
 * @module
 */
export { decodeBase64, encodeBase64 } from "./base64.ts";
export {
  decodeEnvelope,
  type ErrorFrame,
  errorFrame,
  openRequest,
  type RequestEnvelope,
  type RequestId,
  requestIdOf,
  toWireError,
  UNKNOWN_SERVER_ERROR_MESSAGE,
  type WireError,
  type WireErrorDetails,
  withError,
} from "./envelope.ts";
export { INT16_MAX, INT32_MAX, INT53_MAX } from "./fields.ts";
export { type BatchSize, FlowCredit } from "./flow-credit.ts";
export { decodeFrame, encodeFrame, encodeFrameTransient, type FrameFormat, formatOf, TRANSIENT_FRAME_BYTES } from "./frame-codec.ts";
export * from "./ops/index.ts";
export { type ProduceRecord, type RecordHeader } from "./produce-records.ts";
export {
  type AssignmentPush,
  assignmentPush,
  type ErrorPush,
  errorPush,
  isPushFrame,
  partitionErrorPush,
  type PushFrame,
  recordsPush,
  type RecordsPush,
  type RecordViewsPush,
} from "./push.ts";
export {
  type RecordFormat,
  readRecordFormat,
  readValueEncoding,
  recordView,
  type RecordView,
  type RecordViewData,
  type RecordViewHeader,
  type ValueEncoding,
} from "./record-view.ts";
export {
  readPartitionsQueries,
  readTopicPartitionsList,
  type WirePartitionsQuery,
  type WireTopicPartitions,
} from "./topic-partitions.ts";
export { negotiateVersion, PROTOCOL_VERSION, PROTOCOL_VERSIONS, selectSubprotocol, SUBPROTOCOL } from "./version.ts";
