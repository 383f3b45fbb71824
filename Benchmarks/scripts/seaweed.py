"""SeaweedFS for the benchmark scripts: `weed server -s3` on free loopback ports, SigV4 on,
one bucket, stopped by process group. Telemetry is off (it would report to a host on
the internet)."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SeaweedFS:
    """`weed server -s3` on loopback ports, SigV4 on, one bucket; stopped by process group."""

    def __init__(self, weed, work, bucket="bench"):
        self.key, self.secret, self.bucket = "bench-access", "bench-secret", bucket
        ports = set()
        while len(ports) < 9:
            ports.add(free_port())
        p = list(ports)
        self.metrics_port = p[8]
        self.endpoint = f"127.0.0.1:{p[6]}"
        os.makedirs(os.path.join(work, "weed"), exist_ok=True)
        with open(os.path.join(work, "s3.json"), "w") as f:
            f.write('{"identities": [{"name": "bench", "credentials": [{"accessKey": "%s", "secretKey": "%s"}], '
                    '"actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}' % (self.key, self.secret))
        self.proc = subprocess.Popen(
            [weed, "server", f"-dir={work}/weed", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
             f"-master.port={p[0]}", f"-master.port.grpc={p[1]}", f"-volume.port={p[2]}", f"-volume.port.grpc={p[3]}",
             "-filer", f"-filer.port={p[4]}", f"-filer.port.grpc={p[5]}", "-s3", f"-s3.port={p[6]}", f"-s3.port.grpc={p[7]}",
             "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={work}/s3.json", f"-metricsPort={self.metrics_port}",
             "-master.volumeSizeLimitMB=256", "-volume.max=32",
             "-master.telemetry=false"],  # telemetry would report to a host on the internet
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "weed.log"), "w"), start_new_session=True)
        deadline = time.time() + 90
        while time.time() < deadline:
            r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:s3",
                                "--user", f"{self.key}:{self.secret}", "-X", "PUT", f"http://{self.endpoint}/{bucket}"],
                               capture_output=True, text=True)
            a = subprocess.run(["curl", "-s", f"http://127.0.0.1:{p[0]}/dir/assign"], capture_output=True, text=True)
            if r.stdout in ("200", "409") and '"fid"' in a.stdout:
                return
            time.sleep(0.5)
        self.stop()
        sys.exit("SeaweedFS did not start: see " + work + "/weed.log")

    def yaml(self):
        return (f"bucket:\n  type: S3\n  config:\n    bucket: {self.bucket}\n    endpoint: {self.endpoint}\n    insecure: true\n"
                f"    access_key: {self.key}\n    secret_key: {self.secret}")

    def request_counts(self):
        """SeaweedFS' S3 request counters by action, summed over status codes; {} when unavailable."""
        try:
            text = urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).read().decode()
        except OSError:
            return {}
        counts = {}
        for line in text.splitlines():
            m = re.match(r'SeaweedFS_s3_request_total\{([^}]*)\} ([\d.e+]+)', line)
            if not m:
                continue
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            action = labels.get("type", "?")
            counts[action] = counts.get(action, 0) + int(float(m.group(2)))
        return counts

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
