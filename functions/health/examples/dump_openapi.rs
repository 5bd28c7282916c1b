fn main() {
    println!("{}", health_function::document().to_pretty_json().unwrap());
}
