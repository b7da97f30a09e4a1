using System;
using System.Globalization;
using System.Threading;
using NetGen.Cli;

// The command-line trainer; everything happens in CliApp (which tests call in-process). Ctrl+C stops training between batches.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
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
