package dev.fanout.local.iam;

/**
 * IAM's wildcards in actions, resources and StringLike values: {@code *} any run of characters
 * (none too), {@code ?} one character ("IAM JSON policy elements: Resource" and "Condition
 * operators", IAM user guide). Matching is case-sensitive; callers lower-case actions, which IAM
 * compares without case.
 */
public final class IamGlobs {
    private IamGlobs() {}

    /** Does the pattern match this literal text? A {@code *} or {@code ?} in the text is just a character. */
    public static boolean matches(String pattern, String text) {
        return new Object() {
            final Boolean[][] memo = new Boolean[pattern.length() + 1][text.length() + 1];

            boolean at(int i, int j) {
                if (memo[i][j] != null) return memo[i][j];
                boolean r;
                if (i == pattern.length()) r = j == text.length();
                else if (pattern.charAt(i) == '*') r = at(i + 1, j) || (j < text.length() && at(i, j + 1));
                else r = j < text.length() && (pattern.charAt(i) == '?' || pattern.charAt(i) == text.charAt(j)) && at(i + 1, j + 1);
                return memo[i][j] = r;
            }
        }.at(0, 0);
    }

    /** Is there a string both patterns match? */
    public static boolean intersect(String a, String b) {
        return new Object() {
            final Boolean[][] memo = new Boolean[a.length() + 1][b.length() + 1];

            boolean at(int i, int j) {
                if (memo[i][j] != null) return memo[i][j];
                boolean r;
                if (i == a.length() && j == b.length()) r = true;
                else if (i < a.length() && a.charAt(i) == '*') r = at(i + 1, j) || (j < b.length() && at(i, j + 1));
                else if (j < b.length() && b.charAt(j) == '*') r = at(i, j + 1) || (i < a.length() && at(i + 1, j));
                else r = i < a.length() && j < b.length()
                            && (a.charAt(i) == b.charAt(j) || a.charAt(i) == '?' || b.charAt(j) == '?') && at(i + 1, j + 1);
                return memo[i][j] = r;
            }
        }.at(0, 0);
    }
}
