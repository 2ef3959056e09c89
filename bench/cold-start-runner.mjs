// One cold start, in a fresh process: import a bundle, and with an event, handle it twice. Prints
// the first and the second handling's times, wall clock and the process's CPU time (the first pays
// what the SDK and the code set up on first use, unless the bundle primed it at import). Plain
// JavaScript so that nothing but Node.js itself runs before the bundle does.
const [bundle, eventJson] = process.argv.slice(2);
const { handler } = await import(bundle);
if (eventJson) {
  const context = {
    awsRequestId: '00000000-0000-4000-8000-000000000000',
    functionName: 'cold-start',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:cold-start',
    memoryLimitInMB: '1024',
    logGroupName: '/aws/lambda/cold-start',
    logStreamName: 'cold-start',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 10_000,
  };
  const handle = async () => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = await handler(JSON.parse(eventJson), context);
    const used = process.cpuUsage(cpu);
    return {
      ms: performance.now() - started,
      cpuMs: (used.user + used.system) / 1000,
      status: result?.statusCode ?? (result ? 'ok' : 'none'),
    };
  };
  const first = await handle();
  const warm = await handle();
  process.stdout.write(
    JSON.stringify({
      status: first.status,
      first: first.ms,
      warm: warm.ms,
      firstCpu: first.cpuMs,
      warmCpu: warm.cpuMs,
    }),
  );
}
