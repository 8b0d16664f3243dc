fn main() {
    println!("jvdb: under construction");
}
