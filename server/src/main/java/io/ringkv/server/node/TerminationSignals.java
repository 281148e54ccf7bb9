package io.ringkv.server.node;

import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Handles SIGTERM and SIGINT with {@code sun.misc.Signal} (module {@code jdk.unsupported}, the
 * supported way for applications to handle signals until the JDK offers another).
 *
 * <p>Why not only a shutdown hook: when SIGTERM starts the JVM's shutdown, the exit status is
 * already fixed at 143 whatever the hooks do, and a clean stop should exit 0 for service managers
 * and scripts. Handling the signal instead lets the main thread stop the nodes and return normally.
 *
 * <p>Reached by reflection so that the build does not warn about an internal API at every compile,
 * and so that a JVM without it falls back to the shutdown hook instead of failing. Static helpers;
 * thread-safe.
 */
final class TerminationSignals {
  private TerminationSignals() {}

  /** Signal names and numbers (Linux and every other POSIX system agree on these two). */
  private static final List<String> NAMES = List.of("TERM", "INT");

  private static final List<Integer> NUMBERS = List.of(15, 2);

  static void install(StopRequest stop, PrintWriter err) {
    AtomicInteger received = new AtomicInteger();
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < NAMES.size(); i++) {
      String name = NAMES.get(i);
      int number = NUMBERS.get(i);
      try {
        handle(
            name,
            () -> {
              if (received.incrementAndGet() == 1) {
                stop.request("SIG" + name);
              } else {
                err.println("ringkv: SIG" + name + " again: exiting now, without a clean stop");
                err.flush();
                Runtime.getRuntime().halt(128 + number);
              }
            });
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        failed.add("SIG" + name + " (" + e + ")");
      }
    }
    if (!failed.isEmpty()) {
      err.println(
          "ringkv: warning: cannot handle "
              + String.join(", ", failed)
              + "; the JVM shutdown hook will still stop cleanly, but the exit status will be the"
              + " JVM's (128 + signal number)");
    }
  }

  private static void handle(String name, Runnable action) throws ReflectiveOperationException {
    Class<?> signalClass = Class.forName("sun.misc.Signal");
    Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
    Constructor<?> newSignal = signalClass.getConstructor(String.class);
    Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
    Object handler =
        Proxy.newProxyInstance(
            TerminationSignals.class.getClassLoader(),
            new Class<?>[] {handlerClass},
            (proxy, method, arguments) ->
                switch (method.getName()) {
                  case "handle" -> {
                    action.run();
                    yield null;
                  }
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == arguments[0];
                  case "toString" -> "ringkv stop on SIG" + name;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
    try {
      handle.invoke(null, newSignal.newInstance(name), handler);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime; // IllegalArgumentException: the signal is reserved by the JVM (-Xrs)
      }
      throw e;
    }
  }
}
