package main

func catcher() {
	if r := recover(); r != nil {
		println("recovered:", r.(string))
	}
}

func risky() {
	defer catcher()
	panic("boom")
	println("not reached")
}

func main() {
	risky()
	println("main goes on")
}
