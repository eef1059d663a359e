use std::path::PathBuf;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let m = conform::contract::derive::manifest::Manifest::load(std::path::Path::new("pages.yaml"))
        .unwrap();
    let inputs: Vec<PathBuf> = args[1..args.len() - 1].iter().map(PathBuf::from).collect();
    match conform::contract::derive::derive(&inputs, &m) {
        Ok(d) => {
            for l in &d.log {
                println!("{l}");
            }
            conform::contract::derive::write::write(
                &d,
                std::path::Path::new(&args[args.len() - 1]),
            )
            .unwrap();
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2)
        }
    }
}
