package io.beamline.stream.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The batching of authorisation calls: alone while few are under way, together while calls are out,
 * every request answered with its own decision, and the single call for what a batch left.
 */
class AuthorizeBatcherTest {

  /** Calls as token-service would receive them, answered when the test says. */
  static final class HeldCalls implements AuthorizeBatcher.Transport {
    final List<String> singles = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Decision>> singleAnswers = new CopyOnWriteArrayList<>();
    final List<List<String>> batches = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<List<Decision>>> batchAnswers = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Decision> one(String body) {
      CompletableFuture<Decision> answer = new CompletableFuture<>();
      singles.add(body);
      singleAnswers.add(answer);
      return answer;
    }

    @Override
    public CompletionStage<List<Decision>> many(List<String> bodies) {
      CompletableFuture<List<Decision>> answer = new CompletableFuture<>();
      batches.add(bodies);
      batchAnswers.add(answer);
      return answer;
    }
  }

  @Test
  void shouldSendAloneWhileFewAreUnderWayAndBatchTheRestWhenACallReturns() {
    HeldCalls calls = new HeldCalls();
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    AuthorizeBatcher batcher = new AuthorizeBatcher(calls, sizes::add);

    List<CompletableFuture<Decision>> answers = new ArrayList<>();
    for (int i = 0; i < AuthorizeBatcher.IN_FLIGHT; i++) {
      answers.add(batcher.authorize("r" + i).toCompletableFuture());
    }
    assertEquals(List.of("r0", "r1", "r2", "r3"), calls.singles, "each went alone at once");
    for (int i = AuthorizeBatcher.IN_FLIGHT; i < 14; i++) {
      answers.add(batcher.authorize("r" + i).toCompletableFuture());
    }
    assertEquals(4, calls.singles.size(), "the rest wait while every slot is taken");
    assertTrue(calls.batches.isEmpty());

    calls.singleAnswers.get(1).complete(Decision.deny("r1", null));
    assertEquals("r1", answers.get(1).join().reason());
    assertEquals(1, calls.batches.size(), "the freed slot carries everything that waited");
    assertEquals(
        Arrays.asList("r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "r13"),
        calls.batches.get(0));

    // The batch decides all but one; that one goes alone, as token-service decides it there.
    List<Decision> decided = new ArrayList<>();
    for (int i = 4; i < 14; i++) {
      decided.add(i == 7 ? null : Decision.deny("r" + i, null));
    }
    calls.batchAnswers.get(0).complete(decided);
    for (int i = 4; i < 14; i++) {
      if (i != 7) {
        assertEquals("r" + i, answers.get(i).join().reason());
      }
    }
    assertFalse(answers.get(7).isDone());
    assertEquals("r7", calls.singles.get(4));
    calls.singleAnswers.get(4).complete(Decision.deny("r7", null));
    assertEquals("r7", answers.get(7).join().reason());
    assertEquals(List.of(1, 1, 1, 1, 10), sizes);
  }

  @Test
  void shouldAskForEachAloneWhenABatchIsNotAnswered() {
    HeldCalls calls = new HeldCalls();
    AuthorizeBatcher batcher = new AuthorizeBatcher(calls, size -> {});
    for (int i = 0; i < AuthorizeBatcher.IN_FLIGHT; i++) {
      batcher.authorize("first" + i);
    }
    CompletableFuture<Decision> a = batcher.authorize("a").toCompletableFuture();
    CompletableFuture<Decision> b = batcher.authorize("b").toCompletableFuture();
    calls.singleAnswers.get(0).complete(Decision.deny("first0", null));
    assertEquals(List.of(List.of("a", "b")), calls.batches);

    calls.batchAnswers.get(0).complete(null); // e.g. 401 before this key was verified
    assertEquals(List.of("first0", "first1", "first2", "first3", "a", "b"), calls.singles);
    calls.singleAnswers.get(4).complete(Decision.deny("a", null));
    calls.singleAnswers.get(5).complete(Decision.deny("b", null));
    assertEquals("a", a.join().reason());
    assertEquals("b", b.join().reason());
  }

  @Test
  void shouldNeverCarryMoreThanTheLargestBatch() {
    HeldCalls calls = new HeldCalls();
    AuthorizeBatcher batcher = new AuthorizeBatcher(calls, size -> {});
    for (int i = 0; i < AuthorizeBatcher.IN_FLIGHT + AuthorizeBatcher.MAX_BATCH + 5; i++) {
      batcher.authorize("r" + i);
    }
    calls.singleAnswers.get(0).complete(Decision.deny("x", null));
    assertEquals(AuthorizeBatcher.MAX_BATCH, calls.batches.get(0).size());
    calls.singleAnswers.get(1).complete(Decision.deny("x", null));
    assertEquals(5, calls.batches.get(1).size(), "the rest in the next freed slot");
  }
}
