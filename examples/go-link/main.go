package main

import "fmt"

func main() {
	fmt.Println("hello from a COPY --link build")
}
