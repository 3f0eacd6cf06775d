package io.beamline.devstack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JVM shutdown hook that stops every registered component, last started first, so that no child
 * process outlives the JVM that started it.
 */
final class Cleanup {

  private static final Map<Object, Action> ACTIONS = new LinkedHashMap<>();
  private static boolean hookInstalled;
  private static boolean running;

  private Cleanup() {}

  /** Runs {@code action} at JVM exit unless {@link #unregister} is called first. */
  static synchronized void register(Object owner, String name, Runnable action) {
    if (running) {
      return;
    }
    if (!hookInstalled) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(Cleanup::runAll, "beamline-devstack-cleanup"));
      hookInstalled = true;
    }
    // Re-registering moves the owner to the end: a restarted component stops in its new place.
    ACTIONS.remove(new Key(owner));
    ACTIONS.put(new Key(owner), new Action(name, action));
  }

  static synchronized void unregister(Object owner) {
    ACTIONS.remove(new Key(owner));
  }

  /** Runs every registered action now, newest first (also what the shutdown hook does). */
  static void runAll() {
    List<Action> actions;
    synchronized (Cleanup.class) {
      running = true;
      actions = new ArrayList<>(ACTIONS.values());
      ACTIONS.clear();
    }
    for (int i = actions.size() - 1; i >= 0; i--) {
      Action action = actions.get(i);
      try {
        action.runnable().run();
      } catch (RuntimeException e) {
        System.err.println("[devstack] stopping " + action.name() + " failed: " + e.getMessage());
      }
    }
    synchronized (Cleanup.class) {
      running = false;
    }
  }

  private record Action(String name, Runnable runnable) {}

  /** Identity key: components may define equals, registration must not care. */
  private static final class Key {
    private final Object owner;

    Key(Object owner) {
      this.owner = owner;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && key.owner == owner;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(owner);
    }
  }
}
