package io.ringkv.server.resp;

/**
 * The byte stream is not valid RESP, or breaks a framing limit. The connection cannot be
 * resynchronised, so it answers this one error and closes, as Redis does. The message is the reply
 * line without the leading {@code -}, e.g. {@code ERR Protocol error: invalid bulk length}.
 */
final class RespProtocolException extends Exception {
  RespProtocolException(String message) {
    super(message, null, false, false);
  }
}
