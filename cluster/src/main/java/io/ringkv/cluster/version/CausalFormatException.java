package io.ringkv.cluster.version;

/**
 * A causal object (a cell value, a client's context) that cannot be decoded: damaged, cut short, of
 * another type, or from a newer format. The message names the field, the value found and the limit
 * or what was expected, and the byte offset.
 */
public final class CausalFormatException extends Exception {
  public CausalFormatException(String message) {
    super(message);
  }
}
