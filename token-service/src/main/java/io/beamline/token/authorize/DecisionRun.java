package io.beamline.token.authorize;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/** The state of one evaluation: the first refusal, and every check when explaining. */
final class DecisionRun {

  /** Ends a fast decision at its first refusal, or any decision at a refusal nothing can follow. */
  static final class Stop extends RuntimeException {
    private Stop() {
      super(null, null, false, false);
    }
  }

  static final Stop STOP = new Stop();

  final boolean explain;
  final boolean mayBlock;
  final List<Check> checks = new ArrayList<>();
  Reason reason;
  String detail;

  DecisionRun(boolean explain, boolean mayBlock) {
    this.explain = explain;
    this.mayBlock = mayBlock;
  }

  boolean failed() {
    return reason != null;
  }

  /** Records a passed check; its description is only built when explaining. */
  void pass(String name, Supplier<String> what) {
    if (explain) {
      checks.add(new Check(name, true, null, what.get()));
    }
  }

  void fail(String name, Reason why, String what) {
    if (explain) {
      checks.add(new Check(name, false, why, what));
    }
    if (reason == null) {
      reason = Objects.requireNonNull(why);
      detail = what;
    }
    if (!explain) {
      throw STOP;
    }
  }

  /** A refusal that leaves nothing else to check. */
  void fatal(String name, Reason why, String what) {
    fail(name, why, what);
    throw STOP;
  }
}
