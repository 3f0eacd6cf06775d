package io.beamline.token.authorize;

import inet.ipaddr.IPAddress;
import java.util.Set;

/**
 * The checks that must agree across instances (viewer caps, single-use credentials, first-use IP
 * binding), answered from the guard's cache when it can and from the database otherwise.
 */
final class UsageChecks {

  private final UsageGuard guard;

  UsageChecks(UsageGuard guard) {
    this.guard = guard;
  }

  void viewerLimit(TokenRules token, DecisionRun run) {
    Integer cap = token.definition().maxConcurrentViewers();
    if (cap == null) {
      return;
    }
    if (!run.mayBlock) {
      throw DecisionEngine.NEEDS_BLOCKING;
    }
    int live = guard.liveViewers(token.ref());
    if (live < cap) {
      run.pass("viewerLimit", () -> live + " of " + cap + " concurrent viewers");
    } else {
      run.fail(
          "viewerLimit",
          Reason.VIEWER_LIMIT_REACHED,
          "token " + token.definition().id() + " already has " + live + " of " + cap + " viewers");
    }
  }

  void singleUse(String viewerTokenId, DecisionRun run) {
    if (viewerTokenId == null) {
      return;
    }
    boolean used = guard.knownConsumed(viewerTokenId);
    if (!used) {
      if (!run.mayBlock) {
        throw DecisionEngine.NEEDS_BLOCKING;
      }
      used = guard.consumed(viewerTokenId);
    }
    if (used) {
      run.fail(
          "singleUse",
          Reason.TOKEN_ALREADY_USED,
          "this single-use viewer token has already started media");
    } else {
      run.pass("singleUse", () -> "not used yet; consumed when media starts");
    }
  }

  /** Runs last, so that a request refused for another reason never binds an address. */
  void binding(TokenRules token, IPAddress client, DecisionRun run) {
    Integer limit = token.definition().bindIpsOnUsage();
    if (limit == null) {
      return;
    }
    String address = client.toCanonicalString();
    Set<String> known = guard.cachedBindings(token.ref());
    if (known != null && known.contains(address)) {
      run.pass("ipBinding", () -> "address " + address + " is bound to the token");
      return;
    }
    if (known != null && known.size() >= limit) {
      bindingExceeded(token, address, limit, run);
      return;
    }
    if (!run.mayBlock) {
      throw DecisionEngine.NEEDS_BLOCKING;
    }
    if (run.explain) {
      Set<String> bound = guard.bindings(token.ref());
      if (bound.contains(address)) {
        run.pass("ipBinding", () -> "address " + address + " is bound to the token");
      } else if (bound.size() < limit) {
        run.pass(
            "ipBinding",
            () -> "address " + address + " would be bound (" + bound.size() + " of " + limit + ")");
      } else {
        bindingExceeded(token, address, limit, run);
      }
      return;
    }
    if (run.failed()) {
      return;
    }
    if (guard.bind(token.ref(), address, limit)) {
      run.pass("ipBinding", () -> "address " + address + " is bound to the token");
    } else {
      bindingExceeded(token, address, limit, run);
    }
  }

  private static void bindingExceeded(
      TokenRules token, String address, int limit, DecisionRun run) {
    run.fail(
        "ipBinding",
        Reason.IP_BINDING_EXCEEDED,
        "token "
            + token.definition().id()
            + " is bound to "
            + limit
            + " other address"
            + (limit == 1 ? "" : "es")
            + " on first use; "
            + address
            + " is not one of them");
  }
}
