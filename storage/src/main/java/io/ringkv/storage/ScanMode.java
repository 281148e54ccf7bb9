package io.ringkv.storage;

/** Which cells a scan returns. */
public enum ScanMode {
  /** Only live values: tombstones and expired cells are skipped. What clients see. */
  LIVE,
  /** The newest cell of every key, tombstones and expired cells included. What repair needs. */
  ALL
}
