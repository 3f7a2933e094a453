using System.Globalization;

namespace Benchmarks;

/// <summary>A whole-number option of a load benchmark: its name (without the dashes), default, bounds and unit.</summary>
internal sealed record NumberOption(string Name, int Default, int Min, int Max, string Unit);

/// <summary>
/// What every benchmark that drives the running sandbox takes: its own numbers, and which service of which environment
/// to drive, found through which endpoints.json. A bad argument prints one line naming every option.
/// </summary>
internal sealed class LoadOptions
{
    private readonly Dictionary<string, int> _numbers;

    private LoadOptions(Dictionary<string, int> numbers) => _numbers = numbers;

    public string Env { get; private set; } = "production";

    public string Service { get; private set; } = "billing";

    public string EndpointsFile { get; private set; } = Path.Combine(".sandbox", "endpoints.json");

    public int this[string name] => _numbers[name];

    /// <summary>The options, or null after printing what was wrong and what is accepted.</summary>
    public static LoadOptions? Parse(string[] args, params NumberOption[] numbers)
    {
        var options = new LoadOptions(numbers.ToDictionary(n => n.Name, n => n.Default));
        for (var i = 0; i < args.Length; i += 2)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : args[i];
            var value = i + 1 < args.Length ? args[i + 1] : null;
            var number = numbers.FirstOrDefault(n => n.Name == name);
            bool ok;
            if (number is not null)
            {
                ok = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= number.Min && parsed <= number.Max;
                options._numbers[name] = parsed;
            }
            else
            {
                ok = (name, value) switch
                {
                    ("env", "staging" or "production") => true,
                    ("service", { Length: > 0 }) => true,
                    ("endpoints", not null) => true,
                    _ => false,
                };
                options.Env = ok && name == "env" ? value! : options.Env;
                options.Service = ok && name == "service" ? value! : options.Service;
                options.EndpointsFile = ok && name == "endpoints" ? value! : options.EndpointsFile;
            }

            if (!ok)
            {
                var usage = numbers.Select(n => $"--{n.Name} {n.Min}..{n.Max} ({n.Unit})")
                    .Concat(["--env staging|production", "--service <name>", "--endpoints <file>"]);
                Console.Error.WriteLine($"Bad argument '{args[i]} {value}': use {string.Join(", ", usage)}.");
                return null;
            }
        }

        return options;
    }

    /// <summary>The running sandbox, or null after saying how to start it.</summary>
    public SandboxEndpoints? Sandbox()
    {
        var sandbox = SandboxEndpoints.Load(EndpointsFile);
        if (sandbox is null)
        {
            Console.Error.WriteLine($"{EndpointsFile} not found: start the sandbox first (AppHost/start.sh), from the repository root.");
        }

        return sandbox;
    }

    /// <summary>Cuts the service over to managed for <paramref name="load"/>'s principal; its token, or null after saying why not.</summary>
    public async Task<string?> CutOverAsync(SandboxEndpoints sandbox, ServiceLoad load)
    {
        using var operatorClient = new HttpClient { BaseAddress = new Uri(sandbox.Url("filestore")), Timeout = TimeSpan.FromSeconds(60) };
        operatorClient.DefaultRequestHeaders.Authorization = new("Bearer", sandbox.OperatorToken);
        try
        {
            return await load.CutOverAsync(operatorClient);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException)
        {
            Console.Error.WriteLine($"Could not cut {Env}/{Service} over to managed: {e.Message}");
            return null;
        }
    }
}
