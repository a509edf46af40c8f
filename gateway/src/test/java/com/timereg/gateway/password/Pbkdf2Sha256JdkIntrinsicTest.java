package com.timereg.gateway.password;

/** Fails, rather than skips, where the JDK backend is unreachable: the build's flags open it. */
class Pbkdf2Sha256JdkIntrinsicTest extends Pbkdf2Sha256Contract {
  @Override
  Pbkdf2Sha256.Backend backend() {
    return Pbkdf2Sha256.Backend.JDK_SHA256_INTRINSIC;
  }
}
