package io.ringkv.server.resp;

/**
 * Turns expiry arguments into absolute epoch milliseconds with Redis' checks and messages ({@code
 * ERR invalid expire time in 'set' command}). Relative times are added to the server clock's now.
 */
final class ExpiryArguments {
  private ExpiryArguments() {}

  /** Whether an argument counts seconds or milliseconds. */
  enum Unit {
    SECONDS,
    MILLISECONDS
  }

  /**
   * An expiry for SET, GETEX, SETEX and PSETEX: must be positive (Redis'
   * getExpireMillisecondsOrReply).
   */
  static long positive(byte[] argument, Unit unit, boolean relative, long nowMillis, String name) {
    long value = Arguments.parseLong(argument);
    if (value <= 0 || (unit == Unit.SECONDS && value > Long.MAX_VALUE / 1000)) {
      throw invalid(name);
    }
    if (unit == Unit.SECONDS) {
      value *= 1000;
    }
    if (relative) {
      if (value > Long.MAX_VALUE - nowMillis) {
        throw invalid(name);
      }
      value += nowMillis;
    }
    return value;
  }

  /**
   * An expiry for EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT: any value; one in the past deletes the
   * key (Redis' expireGenericCommand). Never returns less than 1, because 0 means "no expiry" in
   * the storage format and a time in the past must still delete.
   */
  static long any(byte[] argument, Unit unit, boolean relative, long nowMillis, String name) {
    long when = Arguments.parseLong(argument);
    if (unit == Unit.SECONDS) {
      if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
        throw invalid(name);
      }
      when *= 1000;
    }
    if (relative) {
      if (when > Long.MAX_VALUE - nowMillis) {
        throw invalid(name);
      }
      when += nowMillis;
    }
    return Math.max(1, when);
  }

  static CommandError invalid(String name) {
    return new CommandError("ERR invalid expire time in '" + name + "' command");
  }
}
