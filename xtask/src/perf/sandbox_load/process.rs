//! The servers as child processes: started, waited for, measured through `/proc`, and stopped
//! by their pid whatever happens to the run (the guard's `Drop`).

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server process, stopped (SIGTERM, then SIGKILL if it lingers) when dropped.
pub struct Server {
    pub name: &'static str,
    child: Option<Child>,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Sends SIGTERM and waits for the process to end; how long that took.
    pub fn stop(&mut self) -> Result<Duration, String> {
        let Some(mut child) = self.child.take() else {
            return Ok(Duration::ZERO);
        };
        let started = Instant::now();
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = started + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                let took = started.elapsed();
                // Node has no handler for SIGTERM: ending by it is a normal stop too.
                let by_term = std::os::unix::process::ExitStatusExt::signal(&status) == Some(15);
                return match status.success() || by_term {
                    true => Ok(took),
                    false => Err(format!("{} ended with {status}", self.name)),
                };
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{} did not stop within 60 s of SIGTERM", self.name));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts the sandbox program with `args` and returns it once it listens, with its base URL
/// (the first line it prints, which it prints once it listens).
pub fn start_sandbox(program: &PathBuf, args: &[String]) -> Result<(Server, String), String> {
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        // One line per request, unread: the same for both servers.
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    let stdout = child.stdout.take().ok_or("no standard output")?;
    let server = Server {
        name: "highlevel-sandbox",
        child: Some(child),
    };
    let mut url = String::new();
    BufReader::new(stdout)
        .read_line(&mut url)
        .map_err(|e| format!("reading the sandbox's address: {e}"))?;
    match url.trim() {
        "" => Err("the sandbox ended before it listened".into()),
        url => Ok((server, url.to_string())),
    }
}

/// Starts `command` (a server that prints nothing useful) as `name`, and returns it once
/// `addr` accepts connections (polled, within `patience`).
pub fn start_listening(
    name: &'static str,
    mut command: Command,
    addr: SocketAddr,
    patience: Duration,
) -> Result<Server, String> {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {name}: {e}"))?;
    let mut server = Server {
        name,
        child: Some(child),
    };
    let deadline = Instant::now() + patience;
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(server);
        }
        if let Some(Ok(Some(status))) = server.child.as_mut().map(Child::try_wait) {
            return Err(format!("{name} ended before it listened ({status})"));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{name} did not listen on {addr} within {patience:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A loopback port free now (the system's pick, released for the server to take).
pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|e| e.to_string())
}

/// A `Vm…:` figure (kiB) of `/proc/<pid>/status`, such as `VmRSS:` or `VmHWM:`.
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
