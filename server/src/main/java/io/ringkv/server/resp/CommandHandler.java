package io.ringkv.server.resp;

/**
 * Carries out one command. It either writes its reply at once through {@link RespConnection#out()}
 * or hands a future and a renderer to {@link RespConnection#reply}; exactly one reply per command.
 * Argument errors are thrown as {@link CommandError} before anything is done.
 */
@FunctionalInterface
interface CommandHandler {
  /**
   * @param connection the client's connection, on its event loop
   * @param arguments the command's arguments, its name first; arity already checked
   */
  void execute(RespConnection connection, byte[][] arguments);
}
