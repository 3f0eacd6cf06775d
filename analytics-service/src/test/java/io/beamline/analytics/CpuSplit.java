package io.beamline.analytics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CPU time of the machine, this JVM's thread groups, the Kafka broker and PostgreSQL between two
 * moments, read from {@code /proc}: the ingestion benchmark's evidence of where each microsecond of
 * an event goes (Linux only; elsewhere every figure is zero).
 */
final class CpuSplit {

  /** Clock ticks per second of {@code /proc} times ({@code getconf CLK_TCK}; 100 on Linux). */
  private static final double TICKS = 100.0;

  /** A reading: cumulative CPU ticks per part, and the machine's busy and total ticks. */
  record Reading(long nanos, Map<String, Long> parts, long machineBusy, long machineTotal) {}

  private final Optional<ProcessHandle> broker;
  private final Optional<ProcessHandle> postgres;

  CpuSplit(Optional<ProcessHandle> broker, Optional<ProcessHandle> postgres) {
    this.broker = broker;
    this.postgres = postgres;
  }

  /** Reads every counter now. */
  Reading read() {
    Map<String, Long> parts = new LinkedHashMap<>();
    parts.put("PostgreSQL", postgres.map(CpuSplit::treeTicks).orElse(0L));
    parts.put("Kafka broker", broker.map(CpuSplit::treeTicks).orElse(0L));
    // This JVM by thread name: ingestion threads, JIT compilers, garbage collection, the rest.
    long ingest = 0;
    long jit = 0;
    long gc = 0;
    long other = 0;
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        String comm = read(task.resolve("comm")).strip();
        long ticks = ticks(read(task.resolve("stat")), false);
        if (comm.startsWith("analytics-inges")) {
          ingest += ticks;
        } else if (comm.startsWith("C2 Compiler") || comm.startsWith("C1 Compiler")) {
          jit += ticks;
        } else if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
          gc += ticks;
        } else {
          other += ticks;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or a thread ended between listing and reading: the reading is partial
    }
    parts.put("service JVM: ingestion threads", ingest);
    parts.put("service JVM: JIT compiler", jit);
    parts.put("service JVM: GC", gc);
    parts.put("service JVM: other threads", other);
    long busy = 0;
    long total = 0;
    try {
      String[] cpu = read(Path.of("/proc/stat")).lines().findFirst().orElse("").split("\\s+");
      for (int i = 1; i < cpu.length && i <= 8; i++) {
        long v = Long.parseLong(cpu[i]);
        total += v;
        // idle (4th) and iowait (5th) are not busy
        if (i != 4 && i != 5) {
          busy += v;
        }
      }
    } catch (RuntimeException e) {
      // not Linux
    }
    return new Reading(System.nanoTime(), parts, busy, total);
  }

  /**
   * One line: wall time, the machine's busy CPU seconds, and each part's CPU seconds, share of the
   * busy time and microseconds per event.
   */
  static String describe(Reading from, Reading to, long events) {
    double wall = (to.nanos() - from.nanos()) / 1e9;
    double busy = (to.machineBusy() - from.machineBusy()) / TICKS;
    double total = (to.machineTotal() - from.machineTotal()) / TICKS;
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            "%.1f s wall, machine busy %.1f of %.1f CPU s (%.0f%%)",
            wall, busy, total, total > 0 ? 100 * busy / total : 0));
    double known = 0;
    for (String part : from.parts().keySet()) {
      double cpu = (to.parts().get(part) - from.parts().get(part)) / TICKS;
      known += cpu;
      s.append(
          String.format(
              "; %s %.2f s (%.0f%%, %.2f us/event)", part, cpu, pct(cpu, busy), us(cpu, events)));
    }
    double rest = Math.max(0, busy - known);
    s.append(
        String.format(
            "; everything else (the kernel's share for other processes, other work on the"
                + " machine) %.2f s (%.0f%%)",
            rest, pct(rest, busy)));
    return s.toString();
  }

  private static double pct(double part, double whole) {
    return whole > 0 ? 100 * part / whole : 0;
  }

  private static double us(double cpuSeconds, long events) {
    return events > 0 ? cpuSeconds * 1e6 / events : 0;
  }

  /** CPU ticks of a process and all its live descendants (PostgreSQL's backends are children). */
  private static long treeTicks(ProcessHandle root) {
    long sum = procTicks(root.pid(), true);
    for (ProcessHandle child : root.descendants().toList()) {
      sum += procTicks(child.pid(), false);
    }
    return sum;
  }

  private static long procTicks(long pid, boolean withReapedChildren) {
    try {
      return ticks(read(Path.of("/proc", Long.toString(pid), "stat")), withReapedChildren);
    } catch (RuntimeException e) {
      return 0; // ended meanwhile
    }
  }

  /** utime + stime (+ cutime + cstime) from a {@code stat} line; the name may hold spaces. */
  private static long ticks(String stat, boolean withReapedChildren) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // after the name: state(0) ppid ... utime is field 14 of stat, index 11 here
    long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    if (withReapedChildren) {
      t += Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }
    return t;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
