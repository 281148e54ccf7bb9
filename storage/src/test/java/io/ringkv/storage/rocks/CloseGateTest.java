package io.ringkv.storage.rocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CloseGateTest {

  @Test
  void enter_succeedsUntilClosedAndFailsAfter() {
    CloseGate gate = new CloseGate();

    assertThat(gate.enter()).isTrue();
    gate.exit();
    assertThat(gate.closeAndDrain()).isTrue();

    assertThat(gate.isClosed()).isTrue();
    assertThat(gate.enter()).isFalse();
    assertThat(gate.closeAndDrain()).as("second close").isFalse();
  }

  @Test
  void closeAndDrain_waitsForTheCallInFlight() throws Exception {
    CloseGate gate = new CloseGate();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch mayExit = new CountDownLatch(1);
    ExecutorService executor = Executors.newFixedThreadPool(2);
    try {
      Future<?> caller =
          executor.submit(
              () -> {
                assertThat(gate.enter()).isTrue();
                entered.countDown();
                mayExit.await();
                gate.exit();
                return null;
              });
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Boolean> closer =
          CompletableFuture.supplyAsync(gate::closeAndDrain, executor);
      while (!gate.isClosed()) {
        Thread.onSpinWait();
      }

      // The gate is closed to new calls, and the closer cannot return while the caller is inside.
      assertThat(gate.enter()).isFalse();
      assertThat(closer).isNotDone();

      mayExit.countDown();
      caller.get(10, TimeUnit.SECONDS);
      assertThat(closer.get(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      mayExit.countDown();
      executor.shutdownNow();
      assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void exit_withoutEnterIsAnAssertionError() {
    CloseGate gate = new CloseGate();

    assertThatThrownBy(gate::exit).isInstanceOf(AssertionError.class);
  }
}
