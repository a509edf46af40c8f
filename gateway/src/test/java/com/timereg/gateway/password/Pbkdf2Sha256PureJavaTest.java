package com.timereg.gateway.password;

class Pbkdf2Sha256PureJavaTest extends Pbkdf2Sha256Contract {
  @Override
  Pbkdf2Sha256.Backend backend() {
    return Pbkdf2Sha256.Backend.PURE_JAVA;
  }
}
