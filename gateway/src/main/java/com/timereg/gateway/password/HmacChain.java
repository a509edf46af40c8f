package com.timereg.gateway.password;

/**
 * The PBKDF2 inner loop: U_i = HMAC(P, U_{i-1}) and T ^= U_i for i = 2..c, on 32-byte values held
 * as eight big-endian words. Each HMAC is two compressions, one block each, resumed from the
 * saved chaining states of the inner and outer pads. Implementations differ only in who runs the
 * SHA-256 compression; the whole loop sits behind this one call so the hot path makes no virtual
 * call per iteration.
 */
interface HmacChain {
  /**
   * Adds U_2..U_c into {@code t}.
   *
   * @param inner chaining state after the {@code key ^ ipad} block; not modified
   * @param outer chaining state after the {@code key ^ opad} block; not modified
   * @param u1 U_1; may be overwritten
   * @param t holds U_1 on entry and U_1 ^ ... ^ U_c on return
   * @param iterations c, at least 1
   */
  void accumulate(int[] inner, int[] outer, int[] u1, int[] t, int iterations);
}
