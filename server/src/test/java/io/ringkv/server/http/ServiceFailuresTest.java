package io.ringkv.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.server.kv.KvException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** {@link ServiceFailures}: each {@link KvException.Kind} becomes its status and problem. */
class ServiceFailuresTest {

  private static Problem problem(KvException.Kind kind, String message, boolean write) {
    return ServiceFailures.problem(new CompletionException(new KvException(kind, message)), write);
  }

  @Test
  void invalidRequest_is400Or413ForValues() {
    assertThat(problem(KvException.Kind.INVALID_REQUEST, "bad option", true).status().code())
        .isEqualTo(400);
    Problem value =
        problem(
            KvException.Kind.INVALID_REQUEST, "value of 9 bytes exceeds value_bytes_max 8", true);
    assertThat(value.status().code()).isEqualTo(413);
    assertThat(value.extensions()).containsEntry("limit", "value_bytes_max");
    Problem key =
        problem(KvException.Kind.INVALID_REQUEST, "key of 9 bytes exceeds key_bytes_max 8", false);
    assertThat(key.status().code()).isEqualTo(400);
    assertThat(key.extensions()).containsEntry("limit", "key_bytes_max");
  }

  @Test
  void unavailable_is503WithRetryAfter() {
    Problem problem = problem(KvException.Kind.UNAVAILABLE, "2 of 3 replicas are down", true);
    assertThat(problem.status().code()).isEqualTo(503);
    assertThat(problem.type()).isEqualTo(ProblemType.UNAVAILABLE);
    assertThat(problem.detail()).contains("nothing was attempted");
    assertThat(ServiceFailures.reply(problem, "/v1/kv/k").headers()).containsKey("Retry-After");
  }

  @Test
  void timeout_is504AndAWriteMayHaveApplied() {
    Problem write = problem(KvException.Kind.TIMEOUT, "1 of 2 acknowledgements in 2 s", true);
    assertThat(write.status().code()).isEqualTo(504);
    assertThat(write.detail())
        .startsWith("1 of 2 acknowledgements in 2 s")
        .contains("may or may not have been applied");
    Problem read = problem(KvException.Kind.TIMEOUT, "no answer in 2 s", false);
    assertThat(read.detail()).isEqualTo("no answer in 2 s");
  }

  @Test
  void failed_is500() {
    Problem problem = problem(KvException.Kind.FAILED, "disk full", true);
    assertThat(problem.status().code()).isEqualTo(500);
    assertThat(problem.type()).isEqualTo(ProblemType.INTERNAL);
    assertThat(problem.detail()).contains("disk full").contains("may or may not");
  }

  @Test
  void unexpectedException_is500Internal() {
    Problem problem =
        ServiceFailures.problem(new CompletionException(new IllegalStateException("bug")), false);
    assertThat(problem.status().code()).isEqualTo(500);
    assertThat(problem.detail()).contains("IllegalStateException: bug");
  }
}
