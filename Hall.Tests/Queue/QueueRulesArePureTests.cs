using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using Hall.Server.Queue;

namespace Hall.Tests.Queue;

/// <summary>
/// <c>Hall.Server/Queue/Rules/</c> is the pure part of the queue: given the state and <c>now</c>, what happens or why not.
/// Nothing in it may reach a database, a logger or the machine's clock — read from the compiled code (every signature and
/// every instruction of every method, lambdas and state machines included), not from what the files say they use.
/// </summary>
public sealed partial class QueueRulesArePureTests
{
    private static readonly string[] ForbiddenAssemblies = ["Microsoft.EntityFrameworkCore", "Npgsql", "Microsoft.Extensions.Logging"];

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private static string RulesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hall.sln")))
            {
                return Path.Combine(dir.FullName, "Hall.Server", "Queue", "Rules");
            }
        }
        throw new InvalidOperationException("Hall.sln not found above the test's folder");
    }

    [GeneratedRegex(@"^(?:public|internal)\s+(?:(?:sealed|static|readonly|abstract|partial)\s+)*(?:class|record struct|record|struct|enum|interface)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();

    /// <summary>Every type declared in the rules' files, with the types the compiler made for them (closures, state machines).</summary>
    private static List<Type> RuleTypes()
    {
        var names = Directory.GetFiles(RulesFolder(), "*.cs").SelectMany(f => TypeDeclaration().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)).ToList();
        var types = Server.GetTypes().Where(t => t.Namespace == "Hall.Server.Queue" && names.Contains(t.Name.Split('`')[0]) && !t.IsNested).ToList();
        Assert.That(types.Select(t => t.Name.Split('`')[0]).Distinct(), Is.EquivalentTo(names.Distinct()), "every type of Queue/Rules is found in the server's assembly");
        return [.. types.SelectMany(Nested)];

        static IEnumerable<Type> Nested(Type t) => t.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).SelectMany(Nested).Prepend(t);
    }

    /// <summary>The members and types an IL body refers to.</summary>
    private static IEnumerable<MemberInfo> Referenced(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        var module = method.Module;
        var typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            var code = il[i] == 0xFE ? OpCodesByValue[(short)(0xFE00 | il[i + 1])] : OpCodesByValue[il[i]];
            i += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    yield return module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs)!;
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineNone:
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }

    private static IEnumerable<Type> TypesOf(MemberInfo member) => member switch
    {
        Type t => [t],
        FieldInfo f => [f.DeclaringType!, f.FieldType],
        MethodInfo m => [m.DeclaringType!, m.ReturnType, .. m.GetParameters().Select(p => p.ParameterType), .. m.IsGenericMethod ? m.GetGenericArguments() : []],
        ConstructorInfo c => [c.DeclaringType!, .. c.GetParameters().Select(p => p.ParameterType)],
        PropertyInfo p => [p.DeclaringType!, p.PropertyType],
        _ => [],
    };

    /// <summary>A type and every type it is built from (element types, generic arguments).</summary>
    private static IEnumerable<Type> Unfold(Type t)
    {
        yield return t;
        if (t.HasElementType)
        {
            foreach (var e in Unfold(t.GetElementType()!))
            {
                yield return e;
            }
        }
        if (t.IsGenericType)
        {
            foreach (var a in t.GetGenericArguments().SelectMany(Unfold))
            {
                yield return a;
            }
        }
    }

    private static readonly Assembly Server = typeof(TicketRules).Assembly;

    /// <summary>
    /// Every type the rules use, read from their code — and, for each of the server's own types they use (say the free-text
    /// check), from that type's code too, to the end of the chain.
    /// </summary>
    private static List<(string Where, Type Used)> Uses()
    {
        var uses = new List<(string, Type)>();
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var pending = new Queue<Type>(RuleTypes());
        var seen = new HashSet<Type>(pending);
        while (pending.TryDequeue(out var type))
        {
            var found = new List<(string, Type)>();
            found.AddRange(new[] { type.BaseType }.Concat(type.GetInterfaces()).OfType<Type>().Select(t => (type.Name, t)));
            found.AddRange(type.GetFields(All).Select(f => ($"{type.Name}.{f.Name}", f.FieldType)));
            foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
            {
                var where = $"{type.Name}.{method.Name}";
                found.AddRange(TypesOf(method).Select(t => (where, t)));
                found.AddRange(Referenced(method).SelectMany(TypesOf).Select(t => (where, t)));
            }
            foreach (var (where, used) in found.SelectMany(u => Unfold(u.Item2).Select(t => (u.Item1, t))))
            {
                uses.Add((where, used));
                var definition = used.IsGenericType ? used.GetGenericTypeDefinition() : used;
                if (definition.Assembly == Server && !definition.IsGenericParameter && seen.Add(definition))
                {
                    pending.Enqueue(definition);
                }
            }
        }
        return uses;
    }

    [Test]
    public void The_rules_reference_no_database_and_no_logging()
    {
        // Not even through the server's own types: a rule calling something that reads the database is not pure.
        var hallData = Uses().Where(u => u.Used.Assembly == Server && u.Used.Namespace is "Hall.Server.Data").Select(u => $"{u.Where} uses {u.Used.FullName}").Distinct();
        Assert.That(hallData, Is.Empty);
        var uses = Uses();
        Assert.That(uses, Has.Count.GreaterThan(1000), "the rules' code was read");
        var forbidden = uses.Where(u => ForbiddenAssemblies.Any(a => u.Used.Assembly.GetName().Name!.StartsWith(a, StringComparison.Ordinal)))
            .Select(u => $"{u.Where} uses {u.Used.FullName}").Distinct().ToList();
        Assert.That(forbidden, Is.Empty);
    }

    [Test]
    public void The_rules_never_read_the_machine_clock()
    {
        var clockReads = Uses().Count(u => u.Used == typeof(TimeProvider));
        var nowCalls = RuleTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Cast<MethodBase>().Concat(t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)))
            .SelectMany(m => Referenced(m).OfType<MethodInfo>().Select(r => (m, r)))
            .Where(x => x.r.DeclaringType is { } d && (d == typeof(DateTime) || d == typeof(DateTimeOffset)) && x.r.Name is "get_Now" or "get_UtcNow" or "get_Today")
            .Select(x => $"{x.m.DeclaringType!.Name}.{x.m.Name} reads {x.r.DeclaringType!.Name}.{x.r.Name}").ToList();
        Assert.That(nowCalls, Is.Empty, "the rules take `now` as an argument");
        Assert.That(clockReads, Is.Zero, "no TimeProvider either");
    }
}
