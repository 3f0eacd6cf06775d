package io.beamline.token.authorize;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token's stream names, compiled once: exact names in a hash set, regular expressions as RE2
 * patterns, which match in time linear in the name, so no rule can backtrack catastrophically.
 */
public final class StreamMatcher {

  /** Compiled patterns are immutable and thread-safe: tokens with the same regex share one. */
  private static final Map<String, Pattern> SHARED = new ConcurrentHashMap<>();

  private static final StreamMatcher NONE = new StreamMatcher(Set.of(), List.of());

  private final Set<String> exact;

  /** The only exact name when there is just one (the common case): no set to walk. */
  private final String single;

  private final List<Pattern> patterns;

  private StreamMatcher(Set<String> exact, List<Pattern> patterns) {
    this.exact = exact;
    this.single = exact.size() == 1 ? exact.iterator().next() : null;
    this.patterns = patterns;
  }

  /**
   * Compiles the rules; a regex must match the whole stream name, as in the reference ({@code .*}
   * is the wildcard token).
   *
   * @throws IllegalArgumentException naming the first regex that does not compile
   */
  public static StreamMatcher compile(List<StreamRule> rules) {
    if (rules == null || rules.isEmpty()) {
      return NONE;
    }
    Set<String> exact = new HashSet<>();
    List<Pattern> patterns = new ArrayList<>();
    for (StreamRule rule : rules) {
      if (rule.isRegex()) {
        patterns.add(compileRegex(rule.streamName()));
      } else {
        exact.add(rule.streamName());
      }
    }
    return new StreamMatcher(Set.copyOf(exact), List.copyOf(patterns));
  }

  /** Compiles one stream-name regex with RE2 semantics, for validation and matching alike. */
  public static Pattern compileRegex(String regex) {
    Pattern shared = SHARED.get(regex);
    if (shared != null) {
      return shared;
    }
    try {
      Pattern compiled = Pattern.compile(regex);
      Interning.put(SHARED, regex, compiled);
      return compiled;
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "not a valid regular expression: " + e.getDescription(), e);
    }
  }

  public boolean matches(String streamName) {
    if (streamName == null) {
      return false;
    }
    if (single != null ? single.equals(streamName) : exact.contains(streamName)) {
      return true;
    }
    for (Pattern pattern : patterns) {
      if (pattern.matches(streamName)) {
        return true;
      }
    }
    return false;
  }
}
