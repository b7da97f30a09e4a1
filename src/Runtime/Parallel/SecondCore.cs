using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace NetGen;

/// <summary>Work that <see cref="SecondCore"/> runs on its thread: the second half of a split batch or update.</summary>
internal interface ISecondCoreWork
{
    /// <summary>Runs the half; an exception is caught and rethrown on the caller's thread by <see cref="SecondCore.Join"/>.</summary>
    void RunSecondHalf();
}

/// <summary>
/// The second core of the two-core split, as one worker thread per process that spins for a short while after each
/// piece of work before it blocks, so that the next half of a training step (about 100 µs later in a Fit) starts
/// without a wake-up: on a 2-vCPU virtual machine, waking a blocked thread took about 30 µs per call (a thread-pool
/// item of 20 µs took 50 µs end to end, up to 160 µs after 1 ms idle; bench/README.md, 2026-12-07), which is what
/// OpenMP runtimes avoid with their spin time before sleeping.
/// </summary>
/// <remarks>
/// One caller at a time owns the worker (<see cref="TryStart"/>); a caller that finds it busy, or
/// <see cref="Parallelism.Enabled"/> off, runs both halves itself, and every split is arranged so that the results are
/// the same bit for bit either way. The work's spans stay pinned by the caller until <see cref="Join"/> returns.
/// </remarks>
internal static class SecondCore
{
    /// <summary>How long the worker keeps looking for the next piece of work before it blocks.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 2000;   // 0.5 ms

    private static readonly SemaphoreSlim s_wake = new(0);
    private static Thread? s_thread;
    private static int s_starting;       // 1 once a caller has begun to start the thread
    private static int s_owned;          // 1 while a caller owns the worker (from TryStart to Join)
    private static int s_sleeping;       // 1 while the worker is (about to be) blocked on s_wake
    private static ISecondCoreWork? s_work;
    private static int s_finished;       // 1 once the current work has run
    private static ExceptionDispatchInfo? s_error;

    /// <summary>
    /// Hands <paramref name="work"/> to the worker if it is free and the split is on; false: the caller runs the half
    /// itself. After true the caller must call <see cref="Join"/> (in a finally block) before its spans are unpinned.
    /// </summary>
    public static bool TryStart(ISecondCoreWork work)
    {
        if (s_thread is null)
        {
            StartThread();   // on the first split of the process, even one run on one core: its allocation is not a step's
        }

        if (!Parallelism.Enabled || Interlocked.CompareExchange(ref s_owned, 1, 0) != 0)
        {
            return false;
        }

        s_error = null;
        Volatile.Write(ref s_finished, 0);
        Volatile.Write(ref s_work, work);
        if (Interlocked.Exchange(ref s_sleeping, 0) == 1)
        {
            s_wake.Release();
        }

        return true;
    }

    /// <summary>Waits (spinning, then yielding) until the started work has run; rethrows its exception; frees the worker.</summary>
    public static void Join()
    {
        var spinner = new SpinWait();
        while (Volatile.Read(ref s_finished) == 0)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        ExceptionDispatchInfo? error = s_error;
        s_error = null;
        Volatile.Write(ref s_owned, 0);
        error?.Throw();
    }

    private static void StartThread()
    {
        if (Interlocked.CompareExchange(ref s_starting, 1, 0) != 0)
        {
            return;   // another caller is starting it; work published meanwhile is picked up once it runs
        }

        var thread = new Thread(Loop, maxStackSize: 1 << 20) { IsBackground = true, Name = "NetGen second core" };
        thread.Start();
        Volatile.Write(ref s_thread, thread);
    }

    private static void Loop()
    {
        while (true)
        {
            ISecondCoreWork work = Next();
            try
            {
                work.RunSecondHalf();
            }
            catch (Exception e)
            {
                s_error = ExceptionDispatchInfo.Capture(e);
            }

            Volatile.Write(ref s_work, null);
            Volatile.Write(ref s_finished, 1);
        }
    }

    /// <summary>The next work: spins for <see cref="SpinTicks"/>, then blocks until a caller wakes it.</summary>
    private static ISecondCoreWork Next()
    {
        while (true)
        {
            long until = Stopwatch.GetTimestamp() + SpinTicks;
            do
            {
                if (Volatile.Read(ref s_work) is { } work)
                {
                    return work;
                }

                Thread.SpinWait(20);
            }
            while (Stopwatch.GetTimestamp() < until);

            Interlocked.Exchange(ref s_sleeping, 1);
            if (Volatile.Read(ref s_work) is not null && Interlocked.Exchange(ref s_sleeping, 0) == 1)
            {
                continue;   // work came while falling asleep, and no caller will release the semaphore for it
            }

            s_wake.Wait();
        }
    }
}

/// <summary>A pass over the index range [from, to) of some buffers the caller has pinned, which <see cref="SecondCoreSplit{TWork}"/> runs as two halves.</summary>
internal interface IRangeWork
{
    /// <summary>Runs the pass over [<paramref name="from"/>, <paramref name="to"/>).</summary>
    void Run(int from, int to);
}

/// <summary>
/// Runs a memory-bound pass (a fold, a clear, a scan) over [0, length) as [0, split) here and [split, length) on
/// <see cref="SecondCore"/>, or both here when it is off or busy: each half does the same work either way, and the
/// caller combines the halves' results in a fixed order. One reused work item per pass type and thread: no allocation.
/// </summary>
/// <typeparam name="TWork">The pass; its copy on the other core is returned to the caller as <c>second</c>.</typeparam>
internal static class SecondCoreSplit<TWork> where TWork : struct, IRangeWork
{
    [ThreadStatic]
    private static Item? t_item;

    /// <summary>Runs <paramref name="first"/> over [0, split) and a copy of it over [split, length); the copy, with whatever it measured, is returned in <paramref name="second"/>.</summary>
    public static void Run(ref TWork first, int length, int split, out TWork second)
    {
        Item item = t_item ??= new Item();
        item.Work = first;
        item.From = split;
        item.To = length;
        if (!SecondCore.TryStart(item))
        {
            first.Run(0, split);
            item.Work.Run(split, length);
        }
        else
        {
            try
            {
                first.Run(0, split);
            }
            finally
            {
                SecondCore.Join();
            }
        }

        second = item.Work;
        item.Work = default;
    }

    private sealed class Item : ISecondCoreWork
    {
        public TWork Work;
        public int From, To;

        public void RunSecondHalf() => Work.Run(From, To);
    }
}
