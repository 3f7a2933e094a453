#pragma warning disable ASPIRECERTIFICATES001 // the certificate gatherers are part of what a container is created with
#pragma warning disable ASPIRECONTAINERSHELLEXECUTION001 // ShellExecution decides how Redis's arguments reach the container

using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sandbox.Tests.Infrastructure;

/// <summary>
/// What the container engine is asked to run for a container resource, rendered from the model without starting it.
/// Arguments and environment go through Aspire's own <see cref="ExecutionConfigurationBuilder"/> with the gatherers
/// DCP's container creator uses (arguments, environment, certificate trust, HTTPS certificate); values known only once
/// the app runs (endpoints, parameters) are kept as their manifest expression, e.g. <c>{prometheus.bindings.http.url}</c>.
/// </summary>
public sealed record ContainerLaunch(
    string? Entrypoint,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> RuntimeArgs,
    IReadOnlyList<ContainerMountAnnotation> BindMounts)
{
    // Where the container creator puts certificates in a container; only seen if a test finds certificates applied.
    private const string CertificatesDestination = "/usr/lib/ssl/aspire";

    /// <summary>
    /// The Aspire whose container creator was read for how a shell-executed container gets its arguments (all of them
    /// joined by spaces into one <c>-c</c> string, in <c>BuildAndCreateContainerAsync</c>); that code is internal, so
    /// <see cref="RenderAsync"/> repeats it, and another Aspire must be read again before the tests trust the copy.
    /// </summary>
    public const string ShellJoinReadIn = "13.6.5";

    public ContainerMountAnnotation BindMountAt(string target) => BindMounts.Single(m => m.Target == target);

    public static async Task<ContainerLaunch> RenderAsync(ContainerResource container, IDeveloperCertificateService certificates)
    {
        var services = new ServiceCollection().AddSingleton(certificates).BuildServiceProvider();
        var context = new DistributedApplicationExecutionContext(
            new DistributedApplicationExecutionContextOptions(DistributedApplicationOperation.Run) { Services = services });
        using var timeout = new CancellationTokenSource(Waits.Request);

        var configuration = await ExecutionConfigurationBuilder.Create(container)
            .WithArgumentsConfig()
            .WithEnvironmentVariablesConfig()
            .WithCertificateTrustConfig(_ => new()
            {
                CertificateBundlePath = ReferenceExpression.Create($"{CertificatesDestination}/cert.pem"),
                CertificateDirectoriesPath = ReferenceExpression.Create($"{CertificatesDestination}/certs"),
                RootCertificatesPath = CertificatesDestination,
                IsContainer = true,
            })
            .WithHttpsCertificateConfig(certificate => new()
            {
                CertificatePath = ReferenceExpression.Create($"{CertificatesDestination}/private/{certificate.Thumbprint}.crt"),
                KeyPath = ReferenceExpression.Create($"{CertificatesDestination}/private/{certificate.Thumbprint}.key"),
                CertificateWithKeyPath = ReferenceExpression.Create($"{CertificatesDestination}/private/{certificate.Thumbprint}.pem"),
                PfxPath = ReferenceExpression.Create($"{CertificatesDestination}/private/{certificate.Thumbprint}.pfx"),
            })
            .AddExecutionConfigurationGatherer(new SymbolicValues())
            .BuildAsync(context, NullLogger.Instance, timeout.Token);
        if (configuration.Exception is not null)
        {
            throw configuration.Exception;
        }

        var args = configuration.Arguments.Select(a => a.Value).ToList();
        return new ContainerLaunch(
            container.Entrypoint,
            // As Aspire's ContainerCreator does (ShellJoinReadIn): a shell-executed container gets one "-c" string.
            container.ShellExecution == true ? ["-c", string.Join(' ', args)] : args,
            configuration.EnvironmentVariables.ToDictionary(),
            await RuntimeArgsAsync(container),
            [.. container.Annotations.OfType<ContainerMountAnnotation>().Where(m => m.Type == ContainerMountType.BindMount)]);
    }

    /// <summary>
    /// The files Aspire creates in the container before starting it (<c>WithContainerFiles</c>), by their path in the
    /// container. Call it once the endpoints the files name are allocated: until then their callbacks wait.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> CreatedFilesAsync(ContainerResource container)
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        using var timeout = new CancellationTokenSource(Waits.Request);
        var files = new Dictionary<string, string>();
        foreach (var annotation in container.Annotations.OfType<ContainerFileSystemCallbackAnnotation>())
        {
            var context = new ContainerFileSystemCallbackContext { Model = container, Services = services };
            foreach (var item in await annotation.Callback(context, timeout.Token))
            {
                Collect(annotation.DestinationPath, item);
            }
        }

        return files;

        void Collect(string directory, ContainerFileSystemItem item)
        {
            var path = $"{directory.TrimEnd('/')}/{item.Name}";
            switch (item)
            {
                case ContainerDirectory folder:
                    foreach (var entry in folder.Entries)
                    {
                        Collect(path, entry);
                    }

                    break;
                case ContainerFile file:
                    files[path] = file.Contents ?? File.ReadAllText(file.SourcePath!);
                    break;
            }
        }
    }

    private static async Task<List<string>> RuntimeArgsAsync(ContainerResource container)
    {
        var args = new List<object>();
        var context = new ContainerRuntimeArgsCallbackContext(args);
        foreach (var callback in container.Annotations.OfType<ContainerRuntimeArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return [.. args.Select(SymbolicValues.Show)];
    }

    /// <summary>Runs last: turns what only a running app can resolve into its manifest expression.</summary>
    private sealed class SymbolicValues : IExecutionConfigurationGatherer
    {
        public static string Show(object value) => value switch
        {
            string text => text,
            IManifestExpressionProvider expression => expression.ValueExpression,
            _ => value.ToString() ?? "",
        };

        public ValueTask GatherAsync(IExecutionConfigurationGathererContext context, IResource resource,
            Microsoft.Extensions.Logging.ILogger resourceLogger, DistributedApplicationExecutionContext executionContext,
            CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < context.Arguments.Count; i++)
            {
                context.Arguments[i] = Show(context.Arguments[i]);
            }

            foreach (var name in context.EnvironmentVariables.Keys.ToList())
            {
                context.EnvironmentVariables[name] = Show(context.EnvironmentVariables[name]);
            }

            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>The developer certificate a machine may or may not have; Aspire gives containers TLS and trust from it.</summary>
public sealed class DeveloperCertificates(ImmutableList<X509Certificate2> certificates) : IDeveloperCertificateService
{
    /// <summary>A machine without an ASP.NET Core developer certificate, such as CI.</summary>
    public static DeveloperCertificates None { get; } = new([]);

    /// <summary>A laptop that ran <c>dotnet dev-certs https --trust</c>: a trusted certificate with its private key.</summary>
    public static DeveloperCertificates Trusted()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return new([certificate]);
    }

    public ImmutableList<X509Certificate2> Certificates { get; } = certificates;

    public bool LatestCertificateIsUntrusted => false;

    public bool SupportsContainerTrust => !Certificates.IsEmpty;

    public bool TrustCertificate => true;

    public bool UseForHttps => !Certificates.IsEmpty;
}
