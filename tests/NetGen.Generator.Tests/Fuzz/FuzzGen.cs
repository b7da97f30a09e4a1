using System.Globalization;
using CsCheck;

namespace NetGen.Generator.Tests.Fuzz;

/// <summary>
/// CsCheck generators of random NetGen declarations: attribute arguments (edge values, wrong types, undefined enum
/// values), attribute orders and counts, type shapes, containers, bases, members and names. Most choices are weighted
/// toward a valid network, so that roughly a third of the declarations are valid and the rest break one or a few rules.
/// </summary>
internal static class FuzzGen
{
    private static Gen<T> Pick<T>(params T[] values) => Gen.OneOf(values);

    // ─── Arguments ──────────────────────────────────────────────────────────────────

    /// <summary>An int size: mostly small, sometimes edge values, sometimes other constant forms or wrong types.</summary>
    public static readonly Gen<Arg> Size = Gen.Frequency(
        (30, Gen.Int[1, 6].Select(Arg.Int)),
        (8, Gen.Int[7, 40].Select(Arg.Int)),
        (2, Gen.Int[41, 600].Select(Arg.Int)),
        (4, Pick(
            new Arg("0", 0), new Arg("-1", -1), new Arg("-7", -7), new Arg("int.MaxValue", int.MaxValue), new Arg("int.MinValue", int.MinValue),
            new Arg("46340", 46340), new Arg("65536", 65536), new Arg("100000", 100000), new Arg("1 << 20", 1 << 20), new Arg("default", 0))),
        (3, Pick(
            new Arg("2 * 3", 6), new Arg("'\\u0003'", 3), new Arg("(byte)4", 4), new Arg("(short)-2", -2), new Arg("0x10", 16),
            new Arg("1_0", 10), new Arg("+2", 2), new Arg("checked(1 + 1)", 2), new Arg("sizeof(int)", 4), new Arg("(int)3.9", 3))),
        (2, Pick(
            new Arg("\"three\"", null), new Arg("1.5", null), new Arg("3L", null), new Arg("2.0f", null), new Arg("null", null),
            new Arg("Activation.ReLU", null), new Arg("int.MaxValue + 1", null), new Arg("(int)1e10", null), new Arg("true", null), new Arg("3u", null))));

    private static Gen<Arg> EnumArg(string type, string[] members, int undefined) => Gen.Frequency(
        (30, Gen.Int[0, members.Length - 1].Select(i => new Arg($"{type}.{members[i]}", i))),
        (3, Gen.Int[0, members.Length - 1].Select(i => new Arg($"global::NetGen.{type}.{members[i]}", i))),
        (3, Gen.Int[0, members.Length - 1].Select(i => new Arg($"NG.{type}.{members[i]}", i))),
        (3, Pick(new Arg("0", 0), new Arg("default", 0), new Arg($"({type})1", 1), new Arg($"({type})(0)", 0), new Arg($"default({type})", 0))),
        (3, Pick(
            new Arg($"({type}){undefined}", undefined), new Arg($"({type})(-1)", -1), new Arg($"({type})int.MaxValue", int.MaxValue),
            new Arg($"({type})int.MinValue", int.MinValue), new Arg($"{type}.{members[^1]} + 1", undefined))),
        (1, Pick(new Arg("1", null), new Arg("\"x\"", null), new Arg("null", null), new Arg(type == "Loss" ? "Activation.ReLU" : "Loss.CrossEntropy", null))));

    public static readonly Gen<Arg> Loss = EnumArg("Loss", ["MeanSquaredError", "BinaryCrossEntropy", "CrossEntropy", "Huber", "LogCosh", "MeanAbsoluteError"], 7);

    public static readonly Gen<Arg> Activation = Gen.Frequency(
        (10, EnumArg("Activation", ["Identity", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "Softmax", "SiLU", "GELU", "Softplus", "Mish"], 12)),
        (1, Pick(new Arg("Activation.ReLU | Activation.Tanh", 3), new Arg("(Activation)(2 + 3)", 5))));

    public static readonly Gen<Arg> Precision = Gen.Frequency(
        (20, Pick(new Arg("Precision.Single", 0), new Arg("Precision.Double", 1))),
        (3, Pick(new Arg("0", 0), new Arg("default", 0), new Arg("(Precision)1", 1), new Arg("global::NetGen.Precision.Double", 1))),
        (2, Pick(new Arg("(Precision)2", 2), new Arg("(Precision)(-3)", -3), new Arg("(Precision)int.MaxValue", int.MaxValue))),
        (1, Pick(new Arg("1", null), new Arg("true", null), new Arg("Loss.CrossEntropy", null), new Arg("\"double\"", null))));

    /// <summary>Doubles around edges shared by every double argument; the typical values are per argument.</summary>
    private static readonly Gen<Arg> DoubleEdge = Pick(
        new Arg("0", 0.0), new Arg("0.0", 0.0), new Arg("-0.0", -0.0), new Arg("1", 1.0), new Arg("1.0", 1.0), new Arg("-1", -1.0),
        new Arg("-0.25", -0.25), new Arg("double.NaN", double.NaN), new Arg("double.PositiveInfinity", double.PositiveInfinity),
        new Arg("double.NegativeInfinity", double.NegativeInfinity), new Arg("double.Epsilon", double.Epsilon), new Arg("double.MaxValue", double.MaxValue),
        new Arg("1e-300", 1e-300), new Arg("0.5f", 0.5), new Arg("float.NaN", double.NaN), new Arg("2", 2.0), new Arg("'\\u0001'", 1.0),
        new Arg("1 / 3.0", 1 / 3.0), new Arg("0.99999999999999999", 1.0), new Arg("1 - 1e-16", 1 - 1e-16), new Arg("1e308 * 10", double.PositiveInfinity),
        new Arg("(double)int.MaxValue", (double)int.MaxValue), new Arg("0.1 + 0.2", 0.1 + 0.2));

    private static readonly Gen<Arg> DoubleBroken = Pick(
        new Arg("0.1m", null), new Arg("\"0.5\"", null), new Arg("null", null), new Arg("true", null), new Arg("Activation.ReLU", null));

    private static Gen<Arg> Double(Gen<double> typical) => Gen.Frequency(
        (16, typical.Select(Arg.Double)),
        (4, DoubleEdge),
        (1, DoubleBroken));

    public static readonly Gen<Arg> Rate = Double(Gen.Int[0, 9].Select(i => i / 10.0));

    public static readonly Gen<Arg> Alpha = Double(Pick(0.01, 0.1, 0.2, 0.3, 0.5, 1.0, 1.5, 2.0));

    public static readonly Gen<Arg> Momentum = Double(Pick(0.5, 0.8, 0.9, 0.95, 0.99, 0.999));

    public static readonly Gen<Arg> Epsilon = Double(Pick(1e-5, 1e-3, 0.01, 0.1, 1e-8));

    // ─── Attributes ─────────────────────────────────────────────────────────────────

    private static Gen<string> AttrName(string name) => Gen.Frequency(
        (16, Gen.Const(name)),
        (1, Gen.Const(name + "Attribute")),
        (1, Pick("NetGen." + name, "global::NetGen." + name, "NG." + name, "global::NetGen." + name + "Attribute", "NG." + name + "Attribute")));

    public static readonly Gen<Attr> Network =
        from name in AttrName("Network")
        from loss in Loss
        from precision in Precision
        from form in Gen.Frequency((20, Gen.Const(0)), (6, Gen.Const(1)), (2, Gen.Const(2)), (3, Gen.Int[3, 8]))
        select form switch
        {
            0 => NetworkAttr(name, loss.Text, loss.Broken, loss, null),
            1 => NetworkAttr(name, $"{loss.Text}, Precision = {precision.Text}", loss.Broken || precision.Broken, loss, precision),
            2 => NetworkAttr(name, $"loss: {loss.Text}", loss.Broken, loss, null),
            3 => new Attr(AttrKind.Network, name, "", true),
            4 => new Attr(AttrKind.Network, name, null, true),
            5 => new Attr(AttrKind.Network, name, $"{loss.Text}, {loss.Text}", true),
            6 => new Attr(AttrKind.Network, name, $"{loss.Text}, Precision = {precision.Text}, Precision = {precision.Text}", true),
            7 => new Attr(AttrKind.Network, name, $"Precision = {precision.Text}", true),
            _ => new Attr(AttrKind.Network, name, $"{loss.Text}, Loss = {loss.Text}", true),
        };

    private static Attr NetworkAttr(string name, string args, bool broken, Arg loss, Arg? precision) =>
        broken || AmbiguousDefault(args, loss) ? new Attr(AttrKind.Network, name, args, true)
               : new Attr(AttrKind.Network, name, args, false, Loss: (int)loss.Value!, Precision: precision is null ? 0 : (int)precision.Value!);

    public static readonly Gen<Attr> Input =
        from name in AttrName("Input")
        from size in Size
        from form in Gen.Frequency((24, Gen.Const(0)), (2, Gen.Const(1)), (2, Gen.Int[2, 4]))
        select form switch
        {
            0 => size.Broken ? new Attr(AttrKind.Input, name, size.Text, true) : new Attr(AttrKind.Input, name, size.Text, false, Size: (int)size.Value!),
            1 => size.Broken ? new Attr(AttrKind.Input, name, "size: " + size.Text, true) : new Attr(AttrKind.Input, name, "size: " + size.Text, false, Size: (int)size.Value!),
            2 => new Attr(AttrKind.Input, name, "", true),
            3 => new Attr(AttrKind.Input, name, null, true),
            _ => new Attr(AttrKind.Input, name, $"{size.Text}, {size.Text}", true),
        };

    public static Gen<Attr> Dense(Gen<Arg> activation) =>
        from name in AttrName("Dense")
        from size in Size
        from act in activation
        from alpha in Alpha
        from form in Gen.Frequency((12, Gen.Const(0)), (14, Gen.Const(1)), (4, Gen.Const(2)), (1, Gen.Const(3)), (2, Gen.Const(4)), (1, Gen.Const(5)), (2, Gen.Int[6, 11]))
        select form switch
        {
            0 => DenseAttr(name, size.Text, size, null, null),
            1 => DenseAttr(name, $"{size.Text}, {act.Text}", size, act, null),
            2 => DenseAttr(name, $"{size.Text}, {act.Text}, Alpha = {alpha.Text}", size, act, alpha),
            3 => DenseAttr(name, $"{size.Text}, Alpha = {alpha.Text}", size, null, alpha),
            4 => DenseAttr(name, $"activation: {act.Text}, size: {size.Text}", size, act, null),
            5 => DenseAttr(name, $"size: {size.Text}, activation: {act.Text}, Alpha = {alpha.Text}", size, act, alpha),
            6 => new Attr(AttrKind.Dense, name, "", true),
            7 => new Attr(AttrKind.Dense, name, null, true),
            8 => new Attr(AttrKind.Dense, name, $"{size.Text}, {act.Text}, {act.Text}", true),
            9 => new Attr(AttrKind.Dense, name, $"{size.Text}, Alpha = {alpha.Text}, Alpha = {alpha.Text}", true),
            10 => new Attr(AttrKind.Dense, name, $"{size.Text}, Size = {size.Text}", true),
            _ => new Attr(AttrKind.Dense, name, $"{size.Text}, Activation = {act.Text}", true),
        };

    /// <summary>
    /// A bare positional 'default' is ambiguous between the enum and the function-name (string) constructors of [Dense]
    /// and [Network] (issue 15); named ('activation: default') it binds the enum constructor.
    /// </summary>
    private static bool AmbiguousDefault(string args, Arg? value) => value?.Text == "default" && !args.Contains(": default", StringComparison.Ordinal);

    private static Attr DenseAttr(string name, string args, Arg size, Arg? activation, Arg? alpha) =>
        size.Broken || activation?.Broken == true || alpha?.Broken == true || AmbiguousDefault(args, activation)
            ? new Attr(AttrKind.Dense, name, args, true)
            : new Attr(AttrKind.Dense, name, args, false, Size: (int)size.Value!, Activation: activation is null ? 0 : (int)activation.Value!,
                AlphaWritten: alpha is not null, Alpha: alpha is null ? double.NaN : (double)alpha.Value!);

    public static readonly Gen<Attr> Dropout =
        from name in AttrName("Dropout")
        from rate in Rate
        from form in Gen.Frequency((24, Gen.Const(0)), (2, Gen.Const(1)), (2, Gen.Int[2, 4]))
        select form switch
        {
            0 => rate.Broken ? new Attr(AttrKind.Dropout, name, rate.Text, true) : new Attr(AttrKind.Dropout, name, rate.Text, false, Rate: (double)rate.Value!),
            1 => rate.Broken ? new Attr(AttrKind.Dropout, name, "rate: " + rate.Text, true) : new Attr(AttrKind.Dropout, name, "rate: " + rate.Text, false, Rate: (double)rate.Value!),
            2 => new Attr(AttrKind.Dropout, name, "", true),
            3 => new Attr(AttrKind.Dropout, name, null, true),
            _ => new Attr(AttrKind.Dropout, name, $"{rate.Text}, {rate.Text}", true),
        };

    public static readonly Gen<Attr> BatchNorm =
        from name in AttrName("BatchNorm")
        from momentum in Momentum
        from epsilon in Epsilon
        from form in Gen.Frequency((10, Gen.Int[0, 1]), (10, Gen.Int[2, 5]), (2, Gen.Int[6, 8]))
        select form switch
        {
            0 => new Attr(AttrKind.BatchNorm, name, null, false),
            1 => new Attr(AttrKind.BatchNorm, name, "", false),
            2 => BatchNormAttr(name, $"Momentum = {momentum.Text}", momentum, null),
            3 => BatchNormAttr(name, $"Epsilon = {epsilon.Text}", null, epsilon),
            4 => BatchNormAttr(name, $"Momentum = {momentum.Text}, Epsilon = {epsilon.Text}", momentum, epsilon),
            5 => BatchNormAttr(name, $"Epsilon = {epsilon.Text}, Momentum = {momentum.Text}", momentum, epsilon),
            6 => new Attr(AttrKind.BatchNorm, name, momentum.Text, true),
            7 => new Attr(AttrKind.BatchNorm, name, $"Momentum = {momentum.Text}, Momentum = {momentum.Text}", true),
            _ => new Attr(AttrKind.BatchNorm, name, $"Rate = {momentum.Text}", true),
        };

    private static Attr BatchNormAttr(string name, string args, Arg? momentum, Arg? epsilon) =>
        momentum?.Broken == true || epsilon?.Broken == true
            ? new Attr(AttrKind.BatchNorm, name, args, true)
            : new Attr(AttrKind.BatchNorm, name, args, false, Momentum: momentum is null ? 0.99 : (double)momentum.Value!, Epsilon: epsilon is null ? 0.001 : (double)epsilon.Value!);

    public static readonly Gen<Attr> AnyAttr = Gen.OneOf(Network, Input, Dense(Activation), Dropout, BatchNorm);

    // Clean variants: arguments that compile and are in range (the layer order, sizes and members may still break a rule).
    private static bool CleanSize(int size) => size is > 0 and <= 2000;

    private static readonly Gen<Attr> CleanNetwork = Network.Where(a => !a.Broken && a.Loss is >= 0 and <= 5 && a.Precision is 0 or 1);

    private static readonly Gen<Attr> CleanInput = Input.Where(a => !a.Broken && CleanSize(a.Size));

    private static Gen<Attr> CleanDense(Gen<Arg> activation) => Dense(activation).Where(a =>
        !a.Broken && CleanSize(a.Size) && a.Activation is >= 0 and <= 6 && (!a.AlphaWritten || (a.Activation is 4 or 5 && double.IsFinite(a.Alpha) && a.Alpha >= 0)));

    private static readonly Gen<Attr> CleanDropout = Dropout.Where(a => !a.Broken && a.Rate is >= 0 and < 1);

    private static readonly Gen<Attr> CleanBatchNorm = BatchNorm.Where(a => !a.Broken && a.Momentum is >= 0 and < 1 && a.Epsilon > 0 && double.IsFinite(a.Epsilon));

    /// <summary>The activation of a hidden layer: never Softmax.</summary>
    private static readonly Gen<Arg> HiddenActivation = Activation.Where(a => !Equals(a.Value, 6));

    /// <summary>A hidden layer: [Dense], maybe [BatchNorm], maybe [Dropout].</summary>
    private static Gen<Attr[]> HiddenGroup(bool clean) =>
        from dense in clean ? CleanDense(HiddenActivation.Where(a => a.Value is int v && v is (>= 0 and <= 5) or (>= 7 and <= 10))) : Dense(Gen.Frequency((12, HiddenActivation), (1, Activation)))
        from batchNorm in Gen.Frequency((4, Gen.Const(default(Attr))), (1, (clean ? CleanBatchNorm : BatchNorm).Select(b => (Attr?)b)))
        from dropout in Gen.Frequency((4, Gen.Const(default(Attr))), (1, (clean ? CleanDropout : Dropout).Select(d => (Attr?)d)))
        select new[] { dense, batchNorm, dropout }.OfType<Attr>().ToArray();

    /// <summary>A plausible layer stack: [Network] [Input] [Dropout]? (hidden groups)* [Dense], the output matching the loss (always when clean).</summary>
    private static Gen<Attr[]> Plausible(bool clean) =>
        from network in clean ? CleanNetwork : Network
        from input in clean ? CleanInput : Input
        from inputDropout in Gen.Frequency((8, Gen.Const(default(Attr))), (1, (clean ? CleanDropout : Dropout).Select(d => (Attr?)d)))
        from hidden in HiddenGroup(clean).Array[0, 3]
        from matching in Gen.Int[0, 9]
        from output in (clean ? (Func<Gen<Arg>, Gen<Attr>>)CleanDense : Dense)(network.Broken || (!clean && matching >= 8) ? Activation
            : network.Loss switch
            {
                1 => Gen.Const(new Arg("Activation.Sigmoid", 1)),
                2 => Gen.Const(new Arg("Activation.Softmax", 6)),
                _ => clean ? Activation.Where(a => a.Value is int v && v is >= 0 and <= 10) : HiddenActivation,
            })
        select new[] { network, input, inputDropout }.OfType<Attr>().Concat(hidden.SelectMany(h => h)).Append(output).ToArray();

    /// <summary>Changes to a plausible stack: swap, remove, duplicate, insert a random attribute, move [Network].</summary>
    private static readonly Gen<(int Op, int A, int B, Attr Extra)> Mutation =
        from op in Gen.Int[0, 4]
        from a in Gen.Int[0, 99]
        from b in Gen.Int[0, 99]
        from extra in AnyAttr
        select (op, a, b, extra);

    private static Gen<Attr[]> Attributes(bool clean) =>
        from stack in Plausible(clean)
        from mutations in Gen.Frequency((clean ? 40 : 6, Gen.Const(Array.Empty<(int, int, int, Attr)>())), (clean ? 1 : 7, Mutation.Array[1, 3]))
        select Mutate(stack, mutations);

    private static Attr[] Mutate(Attr[] stack, (int Op, int A, int B, Attr Extra)[] mutations)
    {
        var list = stack.ToList();
        foreach ((int op, int a, int b, Attr extra) in mutations)
        {
            int i = list.Count == 0 ? 0 : a % list.Count;
            switch (op)
            {
                case 0 when list.Count > 1:
                    int j = (i + 1) % list.Count;
                    (list[i], list[j]) = (list[j], list[i]);
                    break;
                case 1 when list.Count > 0:
                    list.RemoveAt(i);
                    break;
                case 2 when list.Count > 0:
                    list.Insert(b % (list.Count + 1), list[i]);
                    break;
                case 3:
                    list.Insert(b % (list.Count + 1), extra);
                    break;
                case 4 when list.Count > 0:
                    int n = list.FindIndex(x => x.Kind == AttrKind.Network);
                    if (n >= 0)
                    {
                        Attr network = list[n];
                        list.RemoveAt(n);
                        list.Insert(b % (list.Count + 1), network);
                    }

                    break;
            }
        }

        return [.. list];
    }

    /// <summary>Other attributes: harmless decoys, same-named attributes from another namespace, and typos that do not bind.</summary>
    private static readonly Gen<AttrItem> Decoy = Pick(
        new AttrItem("global::System.Serializable", null, false),
        new AttrItem("global::System.Obsolete(\"old\")", null, false),
        new AttrItem("global::System.Diagnostics.DebuggerDisplay(\"net\")", null, false),
        new AttrItem("Other.Dense(3)", null, false),
        new AttrItem("Other.Network", null, false),
        new AttrItem("Other.Input(2)", null, false),
        new AttrItem("Dens(3)", null, true),
        new AttrItem("Netwrk(Loss.MeanSquaredError)", null, true));

    /// <summary>The attribute items of a declaration: NetGen attributes with list layout, decoys and inactive ones.</summary>
    private static Gen<AttrItem[]> AttributeItems(bool clean) =>
        from attrs in Attributes(clean)
        from layout in Gen.Int[0, 99].Array[attrs.Length]
        from decoys in Gen.Frequency((12, Gen.Const(Array.Empty<(AttrItem, int)>())), (1, Gen.Select(clean ? Decoy.Where(d => !d.UserError) : Decoy, Gen.Int[0, 99]).Array[1, 2]))
        select Layout(attrs, layout, decoys);

    private static AttrItem[] Layout(Attr[] attrs, int[] layout, (AttrItem Item, int At)[] decoys)
    {
        var items = new List<AttrItem>();
        for (int i = 0; i < attrs.Length; i++)
        {
            int r = layout[i];
            items.Add(AttrItem.Of(attrs[i]) with
            {
                NewList = i == 0 || r >= 15,
                TypeTarget = r is >= 15 and < 18,
                Inactive = r is >= 18 and < 20,
            });
        }

        foreach ((AttrItem item, int at) in decoys.DistinctBy(d => d.Item.Text))
        {
            items.Insert(at % (items.Count + 1), item);
        }

        if (items.Count > 0 && !items[0].NewList)
        {
            items[0] = items[0] with { NewList = true };
        }

        return [.. items];
    }

    // ─── Members ────────────────────────────────────────────────────────────────────

    private static readonly Member[] SafeMembers =
    [
        new(MemberKind.Safe, "public int UserField;"),
        new(MemberKind.Safe, "public int UserProperty { get; set; }"),
        new(MemberKind.Safe, "public void UserMethod() { }"),
        new(MemberKind.Safe, "public static int UserStatic() => 1;"),
        new(MemberKind.Safe, "public override string ToString() => \"net\";"),
        new(MemberKind.Safe, "public event global::System.EventHandler? UserEvent;"),
        new(MemberKind.Safe, "public const int UserConst = 1;"),
        new(MemberKind.Safe, "public class UserNested { }"),
        new(MemberKind.Safe, "public int this[int i] => i;"),
        new(MemberKind.Safe, "public {0}(long seed) { }"),
        new(MemberKind.Safe, "public {0}(int a, int b) { }"),
        new(MemberKind.Safe, "public {0}(params int[] sizes) { }"),
        new(MemberKind.Safe, "public {0}(string name) : this(42) { }", NeedsGenerated: true),
        new(MemberKind.Safe, "static {0}() { }"),
        new(MemberKind.Safe, "~{0}() { }"),
        new(MemberKind.Safe, "partial void OnCreated();"),
        new(MemberKind.Safe, "public int input, output, seed, value, count, rows;"),
        new(MemberKind.Safe, "public static int T => 0;"),
        new(MemberKind.Safe, "public float Predict(float x) { global::System.Span<float> o = stackalloc float[OutputSize]; Forward(new[] { x }, o); return o[0]; }", NeedsGenerated: true, SinglePrecisionOnly: true),
        new(MemberKind.Safe, "void global::NetGen.INetwork<float>.ZeroGradients() { }", NeedsGenerated: true, SinglePrecisionOnly: true),
    ];

    private static readonly Member[] ClashingMembers =
    [
        new(MemberKind.Named, "public int Forward;", "Forward"),
        new(MemberKind.Named, "public void Backward() { }", "Backward"),
        new(MemberKind.Named, "public void Forward(int x) { }", "Forward"),
        new(MemberKind.Named, "public int Spec => 0;", "Spec"),
        new(MemberKind.Named, "public static string ZeroGradients = \"\";", "ZeroGradients"),
        new(MemberKind.Named, "public class Parameters { }", "Parameters"),
        new(MemberKind.Named, "public event global::System.Action? InputSize;", "InputSize"),
        new(MemberKind.ClashingConstructor, "public {0}() { }"),
        new(MemberKind.ClashingConstructor, "public {0}(int seed) { }"),
        new(MemberKind.ClashingConstructor, "protected {0}(global::System.Int32 x = 5) { }"),
        new(MemberKind.ClashingConstructor, "private {0}(int seed, global::NetGen.Initializer init) { }"),
    ];

    /// <summary>A member of the user's class: safe, clashing with a documented generated member, or named like a member the emitter may declare.</summary>
    public static Gen<Member> MemberGen(string[] generatedNames, bool clean) => Gen.Frequency(
        (8, Pick(SafeMembers)),
        (clean ? 1 : 4, Pick(ClashingMembers)),
        (2, Gen.Select(Pick(generatedNames), Gen.Int[0, 3]).Select((name, form) => new Member(MemberKind.Named, form switch
        {
            0 => $"public int {name};",
            1 => $"private void {name}(string s) {{ }}",
            2 => $"internal class {name} {{ }}",
            _ => $"public static double {name} {{ get; }} = 1;",
        }, name))));

    // ─── Types ──────────────────────────────────────────────────────────────────────

    public static readonly Gen<string> Namespace = Gen.Frequency(
        (6, Gen.Const("Samples")),
        (3, Gen.Const("")),
        (2, Pick("Samples.Deep.Ns", "A.B.C")),
        (1, Pick("Samples.System", "Lonely.NetGen", "Ns.@class", "Samples.Outer_T_", "Ünï.Cødé")));

    private static readonly Gen<Container> UniqueContainer =
        from keyword in Gen.Frequency(
            (10, Gen.Const("class")),
            (2, Pick("struct", "record", "record class", "static class", "record struct")),
            (1, Gen.Const("interface")))
        from partial in Gen.Frequency((12, Gen.Const(true)), (1, Gen.Const(false)))
        from typeParameters in Gen.Frequency((8, Gen.Const("")), (1, Pick("<T>", "<TNet, TOther>", "<U>")), (1, Gen.Const(keyword == "interface" ? "<out T>" : "<in T>")))
        from id in Gen.Int[0, 999]
        select new Container(keyword, partial, "O" + id.ToString(CultureInfo.InvariantCulture), keyword == "interface" || !typeParameters.Contains("in ", StringComparison.Ordinal) ? typeParameters : "<T>");

    /// <summary>Containers shared by several declarations of a sample (always partial classes, so they merge).</summary>
    private static readonly Gen<Container> SharedContainer = Pick(
        new Container("class", true, "Outer", "", Shared: true),
        new Container("class", true, "Outer", "<T>", Shared: true),
        new Container("class", true, "Outer_T_", "", Shared: true));

    public static readonly Gen<Container[]> Containers = Gen.Frequency(
        (14, Gen.Const(Array.Empty<Container>())),
        (5, UniqueContainer.Array[1]),
        (1, UniqueContainer.Array[2]),
        (2, SharedContainer.Array[1]));

    private static readonly string[] SpecialNames = ["@class", "@event", "Twin", "TWIN", "Δelta", "N\\u0065tX", "_Under", "lowercase"];

    /// <summary>
    /// A declaration; an empty name is replaced by a unique one when the sample is prepared. Three in five are "clean":
    /// arguments in range, a partial class, no mutation of the layer order; the rest break rules freely.
    /// </summary>
    public static Gen<Decl> Declaration(string[] generatedNames) =>
        Gen.Frequency((3, Declaration(generatedNames, clean: true)), (2, Declaration(generatedNames, clean: false)));

    private static Gen<Decl> Declaration(string[] generatedNames, bool clean) =>
        from ns in Namespace
        from nsStyle in Gen.Int[0, 2]
        from containers in clean ? Containers.Where(c => c.All(x => x.Partial)) : Containers
        from nameKind in Gen.Frequency((24, Gen.Const(0)), (1, Gen.Const(1)), (1, Gen.Const(2)))
        from special in Pick(SpecialNames)
        from memberName in Pick(generatedNames)
        from shape in clean ? Gen.Frequency((20, Gen.Const(TypeShape.Class)), (1, Pick(TypeShape.Record, TypeShape.RecordClass))) : Gen.Frequency(
            (30, Gen.Const(TypeShape.Class)),
            (2, Pick(TypeShape.Record, TypeShape.RecordClass)),
            (2, Pick(TypeShape.Struct, TypeShape.RecordStruct, TypeShape.Interface)),
            (1, Gen.Const(TypeShape.Enum)))
        from partial in Gen.Frequency((20, Gen.Const(true)), (clean ? 0 : 1, Gen.Const(false)))
        from modifier in Gen.Frequency((20, Gen.Const(0)), (clean ? 0 : 2, Gen.Const(1)), (2, Gen.Const(2)), (1, Gen.Const(3)))
        from accessibility in Gen.Int[0, 99]
        from generic in Gen.Frequency((30, Gen.Const("")), (clean ? 0 : 1, Pick("<T>", "<T> where T : struct")))
        from primary in Gen.Frequency((30, Gen.Const(false)), (clean ? 0 : 1, Gen.Const(true)))
        from baseKind in Gen.Frequency(
            (40, Gen.Const(BaseKind.None)),
            (2, Pick(BaseKind.Object, BaseKind.WithParameterlessConstructor, BaseKind.WithOptionalParameter, BaseKind.WithProtectedConstructor, BaseKind.Exception, BaseKind.Attribute, BaseKind.WithPrivateMembers)),
            (clean ? 0 : 1, Pick(BaseKind.WithIntConstructorOnly, BaseKind.WithPrivateConstructorOnly, BaseKind.WithMembers, BaseKind.Network)))
        from baseMembers in Pick(generatedNames).Array[1, 2]
        from members in Gen.Frequency((3, Gen.Const(Array.Empty<Member>())), (2, MemberGen(generatedNames, clean).Array[1, 3]))
        from attributes in AttributeItems(clean)
        from second in Gen.Frequency((12, Gen.Const(0)), (1, clean ? Gen.Int[1, 3] : Gen.Int[1, 4]))
        from split in Gen.Int[0, 99]
        from disposable in Gen.Frequency((15, Gen.Const(false)), (1, Gen.Const(true)))
        from explicitInterface in Gen.Frequency((30, Gen.Const(false)), (1, Gen.Const(true)))
        select Build(ns, nsStyle, containers, nameKind switch { 1 => special, 2 => memberName, _ => "" },
            shape, partial, modifier, accessibility, generic, primary, baseKind, baseMembers, members, attributes, clean && second == 2 ? 0 : second, split, disposable, explicitInterface);

    private static Decl Build(
        string ns, int nsStyle, Container[] containers, string name, TypeShape shape, bool partial, int modifier, int accessibility,
        string generic, bool primary, BaseKind baseKind, string[] baseMembers, Member[] members, AttrItem[] attributes, int second, int split,
        bool disposable, bool explicitInterface)
    {
        bool isClass = shape is TypeShape.Class or TypeShape.Record or TypeShape.RecordClass;
        bool isRecord = shape is TypeShape.Record or TypeShape.RecordClass;
        bool nested = containers.Length > 0;
        // C# forbids a member named like its class (CS0542), a rule of the language, not of NetGen: the class may take its
        // name from the same pool of generated names as the members.
        members = members.DistinctBy(m => m.Template).DistinctBy(m => m.Name ?? m.Template).Where(m => name.Length == 0 || m.Name != name).ToArray();
        containers = containers.Select((c, i) => containers.Take(i).Any(o => o.Name == c.Name) ? c with { Name = c.Name + "_" + i.ToString(CultureInfo.InvariantCulture) } : c).ToArray();
        Container? inner = nested ? containers[^1] : null;

        // Keep the C# itself valid unless a rule is being broken on purpose: no 'static' on records or non-classes,
        // no base class on non-classes, records derive only from records, static classes have only static members.
        bool isStatic = modifier == 1 && shape == TypeShape.Class;
        bool isAbstract = modifier == 2 && isClass;
        bool isSealed = modifier == 3 && isClass;
        if (!isClass || isStatic)
        {
            baseKind = BaseKind.None;
        }
        else if (isRecord)
        {
            baseKind = baseKind == BaseKind.None ? BaseKind.None : BaseKind.RecordBase;
        }

        if (shape is TypeShape.Interface or TypeShape.Enum)
        {
            primary = false;
        }

        if (!isClass || isStatic)
        {
            members = isStatic ? members.Where(m => m.Template.StartsWith("public static", StringComparison.Ordinal) || m.Template.StartsWith("public const", StringComparison.Ordinal)).ToArray() : [];
            disposable = false;
            explicitInterface = false;
        }

        if (shape == TypeShape.Enum)
        {
            partial = false;
            generic = "";
        }

        if (isRecord)
        {
            // Records synthesize a copy constructor; a user 'protected R(int x = 5)' is fine, so only the documented clashes matter.
            members = members.Where(m => !m.Template.StartsWith("~", StringComparison.Ordinal)).ToArray();
        }

        // Accessibility: top level public/internal/none/file; nested also private/protected/... where the container allows it.
        string access = (accessibility % 10) switch
        {
            0 or 1 or 2 or 3 => "public",
            4 or 5 => "internal",
            6 => "",
            7 => nested ? "private" : "file",
            8 => nested && inner!.Keyword is "class" or "record" or "record class" ? "protected" : "public",
            _ => nested && inner!.Keyword is "class" or "record" or "record class" ? "private protected" : "internal",
        };
        if (access == "file" && (baseKind != BaseKind.None || explicitInterface || disposable))
        {
            access = "internal";
        }

        if (nested && inner!.IsInterface && access is "protected" or "private protected")
        {
            access = "public";
        }

        // A second partial declaration: 1 = the [Network] moves there, 2 = some layers move there (split), 3 = members there, 4 = a primary constructor there.
        AttrItem[]? secondAttributes = null;
        Member[]? secondMembers = null;
        bool secondPrimary = false;
        if (second > 0 && partial && shape != TypeShape.Enum)
        {
            var main = attributes.ToList();
            switch (second)
            {
                case 1:
                    secondAttributes = main.Where(a => a.NetGen?.Kind == AttrKind.Network).Select(a => a with { NewList = true }).ToArray();
                    main.RemoveAll(a => a.NetGen?.Kind == AttrKind.Network);
                    break;
                case 2:
                    int from = main.Count == 0 ? 0 : split % main.Count;
                    secondAttributes = main.Skip(from).Select((a, i) => i == 0 ? a with { NewList = true } : a).ToArray();
                    main.RemoveRange(from, main.Count - from);
                    break;
                case 3:
                    secondMembers = members.Length > 0 ? members : [new Member(MemberKind.Safe, "public int SecondField;")];
                    members = [];
                    break;
                default:
                    secondPrimary = isClass && !isStatic;
                    secondMembers = secondPrimary ? [] : null;
                    break;
            }

            if (main.Count > 0 && !main[0].NewList)
            {
                main[0] = main[0] with { NewList = true };
            }

            attributes = [.. main];
        }

        return new Decl(name, ns, nsStyle, containers, access, shape, partial, isStatic, isAbstract, isSealed, generic, primary,
            baseKind, baseKind is BaseKind.WithMembers or BaseKind.WithPrivateMembers ? baseMembers.Distinct(StringComparer.Ordinal).ToArray() : [],
            members, attributes, secondAttributes, secondMembers, secondPrimary, disposable, explicitInterface);
    }

    /// <summary>The syntax-error mutations: (kind, position) pairs applied to a rendered file.</summary>
    public static readonly Gen<(int Kind, int Position, int Token)[]> SyntaxDamage =
        Gen.Select(Gen.Int[0, 6], Gen.Int[0, 1_000_000], Gen.Int[0, 99]).Array[1, 3];

    private static readonly string[] Garbage = ["@#$", "]]", "[[", "(", ")", "\"unterminated", "/*", "#if X", "class", "=>", "?.", "partial", "[Dense(", "}", "{", ";", "'", "<", "\\u", "#endregion", "Network(", "global::", "@", "]"];

    /// <summary>Damages source text: delete a brace, a semicolon or a line, insert garbage, duplicate a line, or truncate.</summary>
    public static string Damage(string text, (int Kind, int Position, int Token)[] damage)
    {
        foreach ((int kind, int position, int token) in damage)
        {
            if (text.Length == 0)
            {
                break;
            }

            int at = position % text.Length;
            switch (kind)
            {
                case 0:
                case 1:
                {
                    char c = kind == 0 ? (token % 2 == 0 ? '}' : '{') : (token % 2 == 0 ? ';' : ')');
                    int i = text.IndexOf(c, at);
                    i = i < 0 ? text.IndexOf(c, StringComparison.Ordinal) : i;
                    if (i >= 0)
                    {
                        text = text.Remove(i, 1);
                    }

                    break;
                }

                case 2:
                case 3:
                    text = text.Insert(at, " " + Garbage[token % Garbage.Length] + " ");
                    break;
                case 4:
                {
                    string[] lines = text.Split('\n');
                    int line = position % lines.Length;
                    text = string.Join('\n', lines.Where((_, i) => i != line));
                    break;
                }

                case 5:
                {
                    string[] lines = text.Split('\n');
                    int line = position % lines.Length;
                    text = string.Join('\n', lines.Take(line + 1).Append(lines[line]).Concat(lines.Skip(line + 1)));
                    break;
                }

                default:
                    text = text[..at];
                    break;
            }
        }

        return text;
    }
}
