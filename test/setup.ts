/**
 * Loaded by mocha before any test file (.mocharc.json "require"). The AWS SDK v3 prints a Node.js
 * version warning (releases after January 2027 need Node 22) in every process that loads it; the
 * project supports Node >= 20.19, so the test output leaves it out. Child processes inherit this.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
