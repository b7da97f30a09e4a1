using System;
using System.Globalization;
using System.Threading;
using NetGen.Cli;

// The command-line trainer; everything happens in CliApp (which tests call in-process). Ctrl+C stops training between batches.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
JitProfile.Start(args);   // compiles on the second core what the first run of this build and command line compiled (multicore JIT)
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        cancellation.Cancel();
    }
};
return CliApp.Run(args, Console.Out, Console.Error, cancellation.Token);
