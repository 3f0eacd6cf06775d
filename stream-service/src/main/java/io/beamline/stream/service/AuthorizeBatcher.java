package io.beamline.stream.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Sends authorisation requests to token-service one by one while few are under way, and gathers
 * those that arrive while {@value #IN_FLIGHT} calls are out into one batch call each time a call
 * comes back.
 *
 * <p>Why: in a viewer storm the HTTP request around each decision cost stream-service and
 * token-service several times what the decision itself costs; a crowd of viewers now shares those
 * requests, while a lone viewer waits for nobody.
 */
final class AuthorizeBatcher {

  /** Calls to token-service under way before requests wait to be batched. */
  static final int IN_FLIGHT = 4;

  /** Most requests one batch call carries (token-service takes up to 256). */
  static final int MAX_BATCH = 64;

  /** How requests reach token-service. */
  interface Transport {
    /** One request ({@code /internal/authorize}); never completes exceptionally. */
    CompletionStage<Decision> one(String body);

    /**
     * Several requests ({@code /internal/authorize/batch}): a decision per request, null where it
     * was not decided there; the whole list null when the batch as such was not answered. Never
     * completes exceptionally.
     */
    CompletionStage<List<Decision>> many(List<String> bodies);
  }

  private record Waiting(String body, CompletableFuture<Decision> answer) {}

  private final Transport transport;
  private final IntConsumer batchSizes;
  private final Queue<Waiting> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  AuthorizeBatcher(Transport transport, IntConsumer batchSizes) {
    this.transport = transport;
    this.batchSizes = batchSizes;
  }

  /** Asks for a decision on {@code body} (a serialised request); never completes exceptionally. */
  CompletionStage<Decision> authorize(String body) {
    Waiting request = new Waiting(body, new CompletableFuture<>());
    waiting.add(request);
    dispatch();
    return request.answer();
  }

  /**
   * Takes call slots while there are some and requests wait. Every call that comes back dispatches
   * again, so a request queued while all slots were taken is sent by the next one to free.
   */
  private void dispatch() {
    while (!waiting.isEmpty()) {
      int calls = inFlight.get();
      if (calls >= IN_FLIGHT) {
        return;
      }
      if (!inFlight.compareAndSet(calls, calls + 1)) {
        continue;
      }
      List<Waiting> batch = take();
      if (batch.isEmpty()) {
        inFlight.decrementAndGet(); // another dispatch took them; look again
        continue;
      }
      send(batch).whenComplete((ignored, failure) -> callReturned());
    }
  }

  private void callReturned() {
    inFlight.decrementAndGet();
    dispatch();
  }

  /** Up to {@link #MAX_BATCH} waiting requests, oldest first. */
  private List<Waiting> take() {
    List<Waiting> batch = new ArrayList<>();
    Waiting next;
    while (batch.size() < MAX_BATCH && (next = waiting.poll()) != null) {
      batch.add(next);
    }
    return batch;
  }

  private CompletionStage<Void> send(List<Waiting> batch) {
    batchSizes.accept(batch.size());
    if (batch.size() == 1) {
      Waiting only = batch.get(0);
      return transport.one(only.body()).thenAccept(only.answer()::complete);
    }
    List<String> bodies = new ArrayList<>(batch.size());
    batch.forEach(w -> bodies.add(w.body()));
    return transport
        .many(bodies)
        .thenAccept(
            decisions -> {
              for (int i = 0; i < batch.size(); i++) {
                Decision decision =
                    decisions != null && decisions.size() == batch.size() ? decisions.get(i) : null;
                if (decision != null) {
                  batch.get(i).answer().complete(decision);
                } else {
                  // Not decided in the batch (needs the database, or the batch failed): alone,
                  // outside the slots, as token-service decides or explains it there.
                  Waiting single = batch.get(i);
                  transport.one(single.body()).thenAccept(single.answer()::complete);
                }
              }
            });
  }
}
