package io.ringkv.server.http;

/**
 * Aborts the handling of a request with a {@link Problem}; thrown by request parsing and caught by
 * the connection handler, which answers with the problem. Carries no stack trace: it is a bad
 * request, not a bug.
 */
final class ProblemException extends RuntimeException {
  private final transient Problem problem;

  ProblemException(Problem problem) {
    super(problem.detail(), null, false, false);
    this.problem = problem;
  }

  Problem problem() {
    return problem;
  }
}
